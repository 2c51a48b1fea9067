"""The booking admin as editors and hosts use it, over HTTP with the test client."""

import csv
import datetime
import io
import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import GroupPagePermission

from booking import locking
from booking.clock import moscow
from booking.models import Registration, TourSession
from jobs.models import Delivery
from tests import factories
from tests.admin_login import admin_login

Status = Registration.Status
MOSCOW = moscow()

HOST_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "booking.add_toursession",
    "booking.change_toursession",
    "booking.view_toursession",
    "booking.view_registration",
    "booking.change_registration",
]


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def grant(group: Group, *perms: str) -> None:
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def in_days(days: int) -> datetime.datetime:
    """11:00 Moscow time, ``days`` from today."""
    day = timezone.localdate(timezone.now(), MOSCOW) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(11), MOSCOW)


@pytest.fixture
def enterprise_b(site_tree):
    return factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="АО «Бета»")


@pytest.fixture
def session_a(enterprise):
    return factories.TourSessionFactory(enterprise=enterprise, title="Цех А", capacity=25)


@pytest.fixture
def session_b(enterprise_b):
    return factories.TourSessionFactory(enterprise=enterprise_b, title="Цех Б", capacity=20)


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def host_client(client, django_user_model, enterprise):
    """A host of enterprise A only: page "change" on A, plus the model permissions hosts get."""
    group = Group.objects.create(name="Хосты: ПАО «Ил»")
    GroupPagePermission.objects.create(group=group, page=enterprise, permission_type="change")
    grant(group, *HOST_PERMISSIONS)
    user = django_user_model.objects.create_user("host", "host@example.org", "pw")
    user.groups.add(group)
    client.force_login(user)
    return client


def permission_denied(response) -> bool:
    """Wagtail answers PermissionDenied in the admin with a redirect home and a message."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def seat(session, *seats, status=Status.CONFIRMED):
    return [factories.RegistrationFactory(session=session, seats=n, status=status) for n in seats]


# --- editor: sessions -------------------------------------------------------------------


def test_editor_sees_every_session_with_its_fill_rate(editor_client, session_a, session_b):
    seat(session_a, 4, 4, 4, 4, 2)
    seat(session_a, 3, status=Status.CANCELLED)  # frees its seats: not counted

    response = editor_client.get(url("booking_sessions:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Цех А" in html and "Цех Б" in html
    assert "18 / 25 · 72 %" in html
    assert "0 / 20 · 0 %" in html
    starts = timezone.localtime(session_a.starts_at, MOSCOW).strftime("%d.%m.%Y %H:%M")
    assert starts in html


@pytest.mark.parametrize("page", ["booking_sessions:index", "wagtailadmin_home"])
def test_fill_rates_cost_the_same_queries_for_few_and_many_sessions(
    editor_client, enterprise, page
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url(page)).status_code == 200
        return len(captured)

    for _ in range(2):
        seat(factories.TourSessionFactory(enterprise=enterprise), 1, 2)
    queries()  # warm up: a first admin request fills caches (profile, site paths)
    few = queries()
    for _ in range(6):
        seat(factories.TourSessionFactory(enterprise=enterprise), 1, 2)
    assert queries() == few


def test_listing_filters_past_sessions_and_searches_titles(editor_client, enterprise, session_a):
    factories.TourSessionFactory(enterprise=enterprise, title="Прошлый", starts_at=in_days(-5))

    upcoming = editor_client.get(url("booking_sessions:index")).content.decode()
    past = editor_client.get(url("booking_sessions:index"), {"when": "past"}).content.decode()
    found = editor_client.get(url("booking_sessions:index"), {"q": "цех"}).content.decode()

    assert "Цех А" in upcoming and "Прошлый" not in upcoming
    assert "Прошлый" in past and "Цех А" not in past
    assert "Цех А" in found  # lower-case query, capitalised Cyrillic title


def series_data(enterprise, dates: str, **overrides) -> dict:
    data = {
        "enterprise": enterprise.pk,
        "event_format": factories.EventFormatFactory().pk,
        "title": "Экскурсия в сборочный цех",
        "capacity": 25,
        "max_party_size": 4,
        "meeting_point": "Проходная №2",
        "min_age": 14,
        "audiences": ["students", "adults"],
        "start_time": "11:00",
        "duration_minutes": 90,
        "dates": dates,
    }
    data.update(overrides)
    return data


def test_series_creates_one_session_per_date(editor_client, enterprise):
    days = [in_days(n).date() for n in (10, 17, 24)]
    dates = "\n".join(day.strftime("%d.%m.%Y") for day in days)

    response = editor_client.post(url("booking_series:create"), series_data(enterprise, dates))

    assert response.status_code == 302
    sessions = list(TourSession.objects.order_by("starts_at"))
    assert [timezone.localtime(s.starts_at, MOSCOW).date() for s in sessions] == days
    first = sessions[0]
    assert timezone.localtime(first.starts_at, MOSCOW).time() == datetime.time(11, 0)
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=90)
    assert (first.enterprise, first.capacity, first.min_age) == (enterprise, 25, 14)
    assert first.audiences == ["students", "adults"]


def test_series_with_one_bad_date_creates_nothing(editor_client, enterprise):
    good = in_days(10).strftime("%d.%m.%Y")
    past = in_days(-1).strftime("%d.%m.%Y")
    dates = f"{good}\n31.02.2027\n{past}\n{good}"

    response = editor_client.post(url("booking_series:create"), series_data(enterprise, dates))

    html = response.content.decode()
    assert response.status_code == 200
    assert "«31.02.2027» — не дата" in html
    assert f"{good} указана дважды" in html
    assert not TourSession.objects.exists()
    # Past dates are caught once the dates parse.
    response = editor_client.post(
        url("booking_series:create"), series_data(enterprise, f"{good}\n{past}")
    )
    assert "это время уже прошло" in response.content.decode()
    assert not TourSession.objects.exists()


def test_series_refuses_a_date_the_enterprise_already_has(editor_client, enterprise):
    factories.TourSessionFactory(enterprise=enterprise, starts_at=in_days(10))
    dates = in_days(10).strftime("%d.%m.%Y")

    response = editor_client.post(url("booking_series:create"), series_data(enterprise, dates))

    assert "уже есть сеанс" in response.content.decode()
    assert TourSession.objects.count() == 1


def test_cancel_action_cancels_the_session_and_tells_every_registrant(
    editor_client, session_a, django_capture_on_commit_callbacks
):
    confirmed, waitlisted = seat(session_a, 2) + seat(session_a, 4, status=Status.WAITLISTED)
    cancel_url = url("booking_sessions:cancel", session_a.pk)
    assert editor_client.get(cancel_url).status_code == 200

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(cancel_url, {"reason": "Ремонт в цехе"})

    assert response.status_code == 302
    session_a.refresh_from_db()
    assert session_a.status == TourSession.Status.CANCELLED
    assert session_a.cancellation_reason == "Ремонт в цехе"
    assert {r.status for r in Registration.objects.all()} == {Status.CANCELLED}
    assert len(callbacks) == 2  # one e-mail per registrant, queued after commit


def test_cancel_needs_a_reason(editor_client, session_a):
    response = editor_client.post(url("booking_sessions:cancel", session_a.pk), {"reason": ""})

    assert response.status_code == 200
    session_a.refresh_from_db()
    assert session_a.status == TourSession.Status.SCHEDULED


# --- editor: capacity, under the session lock --------------------------------------------


@pytest.fixture
def logged_in_editor(client, django_user_model):
    """A superuser logged in through the admin's login form."""
    django_user_model.objects.create_superuser("chief", "chief@example.org", "Pw-12345!")
    assert admin_login(client, "chief", "Pw-12345!")
    return client


def edit_data(session, **overrides) -> dict:
    """The session's edit form as the admin renders it, with ``overrides``."""
    values = {
        "title": session.title,
        "capacity": session.capacity,
        "max_party_size": session.max_party_size,
        "meeting_point": session.meeting_point,
    }
    return session_form_data(session.enterprise, session.event_format, **{**values, **overrides})


def registration_rows(session) -> list[tuple]:
    return list(
        session.registrations.order_by("pk").values_list(
            "pk", "status", "seats", "hold_expires_at", "promoted_at"
        )
    )


def test_raising_capacity_promotes_the_first_waitlisted_party_that_fits(
    logged_in_editor, enterprise, django_capture_on_commit_callbacks
):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=4, max_party_size=4)
    seat(session, 4)  # full
    big, fits, late = (
        factories.RegistrationFactory(
            session=session, seats=seats, status=Status.WAITLISTED, email=email
        )
        for seats, email in (
            (4, "big@example.org"),
            (2, "fits@example.org"),
            (1, "late@example.org"),
        )
    )
    edit = url("booking_sessions:edit", session.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_editor.post(edit, edit_data(session, capacity=6, title="Цех Н"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.title) == (6, "Цех Н")  # the other fields saved too
    for registration in (big, fits, late):
        registration.refresh_from_db()
    # Two seats free: too few for the first party, all of them for the second.
    assert [big.status, fits.status, late.status] == [
        Status.WAITLISTED,
        Status.PENDING,
        Status.WAITLISTED,
    ]
    assert fits.promoted_at is not None and fits.hold_expires_at > timezone.now()
    [letter] = mail.outbox
    assert letter.to == ["fits@example.org"]
    assert letter.subject.startswith("Освободилось место")


def test_lowering_capacity_below_the_seats_taken_is_refused_and_saves_nothing(
    logged_in_editor, enterprise, django_capture_on_commit_callbacks
):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=10, title="Цех А")
    seat(session, 4, 3)
    seat(session, 2, status=Status.WAITLISTED)
    before = registration_rows(session)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = logged_in_editor.post(
            url("booking_sessions:edit", session.pk),
            edit_data(session, capacity=5, title="Переименован", meeting_point="Ворота №3"),
        )

    assert response.status_code == 200  # the form again
    assert "Уже занято 7 мест: вместимость не может быть меньше." in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.title, session.meeting_point) == (
        10,
        "Цех А",
        "Проходная №1",
    )
    assert registration_rows(session) == before
    assert (callbacks, mail.outbox, Delivery.objects.count()) == ([], [], 0)


def test_an_edit_never_changes_the_sessions_status(logged_in_editor, enterprise):
    """Cancelling tells everyone registered: only «Отменить сеанс» may do it."""
    session = factories.TourSessionFactory(enterprise=enterprise)
    (registration,) = seat(session, 2)

    response = logged_in_editor.post(
        url("booking_sessions:edit", session.pk),
        edit_data(session, status="cancelled", cancellation_reason="Так"),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    registration.refresh_from_db()
    assert (session.status, session.cancellation_reason) == (TourSession.Status.SCHEDULED, "")
    assert registration.status == Status.CONFIRMED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_waits_for_the_session_lock_and_counts_seats_after_it(logged_in_editor, enterprise):
    """A registration holding the lock when the edit comes in is counted by the edit.

    Counted before the lock (as model validation used to), the 4 new seats would be
    missed and the capacity lowered below the 7 seats then held.
    """
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=10)
    seat(session, 3)
    locked = threading.Event()

    def register_four_seats_slowly():
        try:
            with transaction.atomic():
                locking.lock_session(session.pk)
                locked.set()
                time.sleep(0.5)  # the edit arrives meanwhile
                factories.RegistrationFactory(session=session, seats=4)
        finally:
            connection.close()

    booking = threading.Thread(target=register_four_seats_slowly)
    booking.start()
    assert locked.wait(timeout=10)
    started = time.monotonic()
    response = logged_in_editor.post(
        url("booking_sessions:edit", session.pk), edit_data(session, capacity=5)
    )
    waited = time.monotonic() - started
    booking.join(timeout=10)

    assert "Уже занято 7 мест" in response.content.decode()
    assert waited > 0.3  # it queued behind the lock
    session.refresh_from_db()
    assert session.capacity == 10


# --- editor: registrations, export, check-in -------------------------------------------


def test_session_registrants_export_to_csv_and_xlsx(editor_client, enterprise, session_a):
    anna = factories.RegistrationFactory(
        session=session_a, name="Анна Иванова", phone="+79001112233", seats=2
    )
    formula = factories.RegistrationFactory(session=session_a, name="=HYPERLINK(1)", seats=1)
    other_session = factories.TourSessionFactory(enterprise=enterprise)
    factories.RegistrationFactory(session=other_session, name="Чужой Сеанс")
    listing = url("booking_registrations:session", session_a.pk)

    csv_response = editor_client.get(listing, {"export": "csv"})
    xlsx_response = editor_client.get(listing, {"export": "xlsx"})

    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert rows[0] == ["Имя", "Телефон", "E-mail", "Мест", "Статус"]
    assert sorted(rows[1:]) == [
        ["'=HYPERLINK(1)", "+79001234567", formula.email, "1", "подтверждена"],
        ["Анна Иванова", "+79001112233", anna.email, "2", "подтверждена"],
    ]
    sheet = load_workbook(io.BytesIO(xlsx_response.getvalue())).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == ["Имя", "Телефон", "E-mail", "Мест", "Статус"]
    assert sorted(row[0] for row in cells[1:]) == ["=HYPERLINK(1)", "Анна Иванова"]
    assert ["Анна Иванова", "+79001112233", anna.email, 2, "подтверждена"] in cells


def test_registration_listing_shows_registrants_and_is_read_only(editor_client, session_a):
    registration = factories.RegistrationFactory(session=session_a, name="Анна Иванова")

    listing = editor_client.get(url("booking_registrations:index")).content.decode()
    inspect = editor_client.get(url("booking_registrations:inspect", registration.pk))

    assert "Анна Иванова" in listing and registration.email in listing
    assert inspect.status_code == 200
    assert registration.token_hash not in inspect.content.decode()
    for name in ("add", "edit", "delete"):
        with pytest.raises(Exception):  # noqa: B017 (NoReverseMatch: the views do not exist)
            reverse(f"booking_registrations:{name}", args=[registration.pk])


@pytest.fixture
def todays_session(enterprise):
    """Started an hour ago, so check-in is allowed whatever the time of day."""
    return factories.TourSessionFactory(
        enterprise=enterprise, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_check_in_marks_attended_and_no_show(editor_client, todays_session):
    came, missed = seat(todays_session, 2, 1)
    attendance = "booking_registrations:attendance"

    editor_client.post(url(attendance, came.pk), {"attended": "1"})
    editor_client.post(url(attendance, missed.pk), {"attended": "0"})

    came.refresh_from_db()
    missed.refresh_from_db()
    assert came.status == Status.ATTENDED and came.checked_in_at is not None
    assert missed.status == Status.NO_SHOW


def test_refused_check_in_shows_the_services_message(editor_client, session_a):
    (registration,) = seat(session_a, 2)  # the session is ten days ahead

    response = editor_client.post(
        url("booking_registrations:attendance", registration.pk), {"attended": "1"}, follow=True
    )

    assert "Отмечать посещение можно в день сеанса." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_check_in_is_post_only(editor_client, todays_session):
    (registration,) = seat(todays_session, 1)

    response = editor_client.get(url("booking_registrations:attendance", registration.pk))

    assert response.status_code == 405
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_dashboard_lists_upcoming_sessions_with_fill_rates(editor_client, session_a, session_b):
    seat(session_a, 4, 1)

    html = editor_client.get(url("wagtailadmin_home")).content.decode()

    assert "Ближайшие сеансы" in html
    assert "5 / 25 · 20 %" in html and "Цех Б" in html


# --- hosts ------------------------------------------------------------------------------


def test_host_sees_only_their_enterprises_sessions_and_registrants(
    host_client, session_a, session_b
):
    seat(session_a, 2)
    (registrant_b,) = seat(session_b, 3)

    sessions = host_client.get(url("booking_sessions:index")).content.decode()
    registrations = host_client.get(url("booking_registrations:index")).content.decode()
    export = host_client.get(url("booking_registrations:index"), {"export": "csv"})
    dashboard = host_client.get(url("wagtailadmin_home")).content.decode()

    assert "Цех А" in sessions and "Цех Б" not in sessions
    assert "АО «Бета»" not in sessions  # not even among the filter's choices
    assert registrant_b.name not in registrations
    exported = b"".join(export.streaming_content).decode()
    assert registrant_b.name not in exported and "Цех Б" not in exported
    assert "Цех А" in dashboard and "Цех Б" not in dashboard


def test_host_cannot_reach_another_enterprises_session_by_url(host_client, session_b):
    (registrant,) = seat(session_b, 2)
    for name in ("edit", "inspect", "history", "history_results", "usage", "cancel", "delete"):
        assert host_client.get(url(f"booking_sessions:{name}", session_b.pk)).status_code == 404
    registrations = url("booking_registrations:session", session_b.pk)
    assert host_client.get(registrations).status_code == 404
    assert host_client.get(registrations, {"export": "xlsx"}).status_code == 404
    inspect = url("booking_registrations:inspect", registrant.pk)
    assert host_client.get(inspect).status_code == 404

    edit = host_client.post(
        url("booking_sessions:edit", session_b.pk), {"title": "Захвачено", "capacity": 1}
    )
    cancel = host_client.post(url("booking_sessions:cancel", session_b.pk), {"reason": "Так"})
    check_in = host_client.post(
        url("booking_registrations:attendance", registrant.pk), {"attended": "0"}
    )

    assert (edit.status_code, cancel.status_code, check_in.status_code) == (404, 404, 404)
    session_b.refresh_from_db()
    registrant.refresh_from_db()
    assert session_b.title == "Цех Б" and session_b.status == TourSession.Status.SCHEDULED
    assert registrant.status == Status.CONFIRMED


def session_form_data(enterprise, event_format, **overrides) -> dict:
    starts = in_days(12)
    data = {
        "enterprise": enterprise.pk,
        "event_format": event_format.pk,
        "title": "Новый сеанс",
        "description": "",
        "starts_at": timezone.localtime(starts, MOSCOW).strftime("%Y-%m-%d %H:%M"),
        "ends_at": timezone.localtime(starts, MOSCOW).strftime("%Y-%m-%d") + " 12:30",
        "capacity": 20,
        "max_party_size": 4,
        "meeting_point": "Проходная",
        "for_adults": "on",
    }
    data.update(overrides)
    return data


def test_host_creates_sessions_only_for_their_enterprise(host_client, enterprise, enterprise_b):
    event_format = factories.EventFormatFactory()
    add = url("booking_sessions:add")

    refused = host_client.post(add, session_form_data(enterprise_b, event_format))
    refused_series = host_client.post(
        url("booking_series:create"), series_data(enterprise_b, in_days(9).strftime("%d.%m.%Y"))
    )
    assert refused.status_code == refused_series.status_code == 200  # the form, with errors
    assert not TourSession.objects.exists()

    created = host_client.post(add, session_form_data(enterprise, event_format))
    assert created.status_code == 302
    assert TourSession.objects.get().enterprise == enterprise


def test_host_cannot_move_their_session_to_another_enterprise(host_client, session_a, enterprise_b):
    data = session_form_data(enterprise_b, session_a.event_format, title="Цех А")

    response = host_client.post(url("booking_sessions:edit", session_a.pk), data)

    assert response.status_code == 200  # the form again, with the enterprise refused
    session_a.refresh_from_db()
    assert session_a.enterprise_id != enterprise_b.pk


def test_host_can_edit_and_check_in_at_their_own_enterprise(host_client, todays_session):
    (registration,) = seat(todays_session, 2)

    edit = host_client.get(url("booking_sessions:edit", todays_session.pk))
    check_in = host_client.post(
        url("booking_registrations:attendance", registration.pk), {"attended": "1"}
    )

    assert edit.status_code == 200
    assert check_in.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.ATTENDED


def test_model_permissions_still_apply_within_the_scope(host_client, todays_session):
    """A security-desk account (view only) may list and export, not check in."""
    from django.contrib.auth import get_user_model

    host = get_user_model().objects.get(username="host")
    desk_group = host.groups.get()
    desk_group.permissions.remove(
        Permission.objects.get(codename="change_registration"),
        Permission.objects.get(codename="change_toursession"),
    )
    (registration,) = seat(todays_session, 1)

    listing = host_client.get(url("booking_registrations:session", todays_session.pk))
    check_in = host_client.post(
        url("booking_registrations:attendance", registration.pk), {"attended": "1"}
    )
    cancel = host_client.get(url("booking_sessions:cancel", todays_session.pk))

    assert listing.status_code == 200
    assert permission_denied(check_in) and permission_denied(cancel)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_manage_all_sessions_permission_sees_every_enterprise(
    client, django_user_model, session_a, session_b
):
    group = Group.objects.create(name="Дирекция программы")
    grant(group, *HOST_PERMISSIONS, "booking.manage_all_sessions")
    user = django_user_model.objects.create_user("team", "team@example.org", "pw")
    user.groups.add(group)
    client.force_login(user)

    html = client.get(url("booking_sessions:index")).content.decode()

    assert "Цех А" in html and "Цех Б" in html


def test_every_booking_admin_page_opens_for_an_editor(editor_client, session_a):
    (registration,) = seat(session_a, 2)
    empty_session = factories.TourSessionFactory(enterprise=session_a.enterprise)
    pages = [
        url("booking_sessions:index"),
        url("booking_sessions:index_results") + "?q=цех&status=scheduled&when=all",
        url("booking_sessions:add"),
        url("booking_sessions:edit", session_a.pk),
        url("booking_sessions:inspect", session_a.pk),
        url("booking_sessions:history", session_a.pk),
        url("booking_sessions:usage", session_a.pk),
        url("booking_sessions:delete", empty_session.pk),
        url("booking_sessions:cancel", session_a.pk),
        url("booking_series:create"),
        url("booking_registrations:index") + f"?session={session_a.pk}&status=confirmed",
        url("booking_registrations:index_results") + "?q=visitor",
        url("booking_registrations:session", session_a.pk),
        url("booking_registrations:session_results", session_a.pk) + "?status=confirmed",
        url("booking_registrations:inspect", registration.pk),
    ]
    for page in pages:
        assert editor_client.get(page).status_code == 200, page


def test_a_session_with_registrations_cannot_be_deleted(editor_client, session_a):
    seat(session_a, 1)

    response = editor_client.post(url("booking_sessions:delete", session_a.pk))

    assert response.status_code == 302
    assert TourSession.objects.filter(pk=session_a.pk).exists()


def test_group_form_offers_the_booking_permissions(editor_client, db):
    html = editor_client.get(reverse("wagtailusers_groups:add")).content.decode()

    assert "Может видеть и вести сеансы всех предприятий" in html
    view, add = (Permission.objects.get(codename=f"{a}_registration") for a in ("view", "add"))
    assert f'value="{view.pk}"' in html
    assert f'value="{add.pk}"' not in html  # registrations are never added by hand


def test_anonymous_visitors_are_sent_to_the_login_page(client, session_a):
    for page in (url("booking_sessions:index"), url("booking_registrations:index")):
        response = client.get(page)
        assert response.status_code == 302 and "/admin/login/" in response.url
