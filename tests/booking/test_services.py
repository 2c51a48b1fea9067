"""The booking rules, called as the admin and the API call them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking import services, tokens
from booking.models import Consent, Registration, TourSession
from tests import factories

Status = Registration.Status


def error_code(excinfo) -> str:
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def test_register_holds_seats_and_records_both_consents(session, make_request):
    outcome = services.register(make_request(seats=3, email=" Anna@Example.ORG "))
    registration = outcome.registration

    assert outcome.created
    assert registration.status == Status.PENDING
    assert registration.email == "anna@example.org"
    assert registration.phone == "+79001234567"
    assert registration.hold_expires_at > timezone.now()
    assert session.seats_left() == 2
    consents = {c.kind: c for c in registration.consents.all()}
    assert set(consents) == {Consent.Kind.PROCESSING, Consent.Kind.TRANSFER_TO_HOST}
    assert consents[Consent.Kind.PROCESSING].ip_address == "203.0.113.5"
    assert consents[Consent.Kind.PROCESSING].text_version


def test_token_is_stored_only_as_a_hash(session, make_request):
    registration = services.register(make_request()).registration
    token = tokens.token_for_salt(registration.token_salt)

    assert token not in {registration.token_hash, registration.token_salt}
    assert services.find_by_token(token) == registration


def test_full_session_waitlists_the_whole_party(session, make_request):
    services.register(make_request(seats=4))
    outcome = services.register(make_request(seats=2))

    assert outcome.registration.status == Status.WAITLISTED
    assert outcome.registration.hold_expires_at is None
    assert session.seats_left() == 1  # never split: 1 seat stays free rather than half a party


def test_retry_returns_the_same_registration(session, make_request):
    request = make_request(seats=2)
    first = services.register(request)
    second = services.register(request)

    assert second.registration.pk == first.registration.pk
    assert not second.created
    assert Registration.objects.count() == 1


def test_same_email_with_other_details_makes_nothing_and_tells_nothing(
    session, make_request, mailoutbox, django_capture_on_commit_callbacks
):
    """No e-mail oracle: the answer looks like a new registration's; the address's holder
    gets their own letter again (once per BOOKING_RESEND_MINUTES)."""
    with django_capture_on_commit_callbacks(execute=True):
        first = services.register(make_request(email="a@example.org", seats=1))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.register(
            make_request(email="A@example.org", seats=2, name="Чужой Человек")
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.register(make_request(email="a@example.org", seats=3))
    assert not second.created and second.registration.pk == first.registration.pk
    assert second.receipt.pk is None and second.receipt.seats == 2
    assert second.receipt.status == Status.PENDING
    assert Registration.objects.get().seats == 1  # unchanged
    assert [m.to for m in mailoutbox] == [["a@example.org"], ["a@example.org"]]
    assert "Чужой" not in mailoutbox[1].body


def test_database_refuses_a_second_active_registration(session):
    from django.db import IntegrityError, transaction

    factories.RegistrationFactory(session=session, email="x@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.RegistrationFactory(session=session, email="x@example.org")
    # A cancelled one does not block a new registration.
    Registration.objects.update(status=Status.CANCELLED)
    factories.RegistrationFactory(session=session, email="x@example.org")


@pytest.mark.parametrize(
    "overrides, code, field",
    [
        ({"consent_to_processing": False}, "CONSENT_REQUIRED", "consent_to_processing"),
        ({"consent_to_transfer": False}, "CONSENT_REQUIRED", "consent_to_transfer"),
        ({"email": "not-an-email"}, "INVALID_INPUT", "email"),
        ({"phone": "12345"}, "INVALID_INPUT", "phone"),
        ({"name": " 1 "}, "INVALID_INPUT", "name"),
        ({"seats": 0}, "INVALID_INPUT", "seats"),
        ({"seats": 5}, "PARTY_TOO_LARGE", "seats"),
        ({"session_id": 999_999}, "NOT_FOUND", "session_id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(session, make_request, overrides, code, field):
    with pytest.raises(ValidationError) as excinfo:
        services.register(make_request(**overrides))
    assert error_code(excinfo) == code
    assert field in excinfo.value.error_dict
    assert not Registration.objects.exists()
    assert not Consent.objects.exists()


def test_registration_closes_three_days_before(session, make_request):
    session.starts_at = timezone.now() + datetime.timedelta(days=2, hours=23)
    session.ends_at = session.starts_at + datetime.timedelta(hours=1)
    session.save()
    with pytest.raises(ValidationError) as excinfo:
        services.register(make_request())
    assert error_code(excinfo) == "REGISTRATION_CLOSED"


def test_session_may_set_its_own_closing_time(session, make_request):
    session.starts_at = timezone.now() + datetime.timedelta(days=1)
    session.ends_at = session.starts_at + datetime.timedelta(hours=1)
    session.booking_closes_at = timezone.now() + datetime.timedelta(hours=12)
    session.save()
    assert services.register(make_request()).created


def test_cancelled_session_refuses_registrations(session, make_request):
    services.cancel_session(session.pk, "Авария на линии")
    with pytest.raises(ValidationError) as excinfo:
        services.register(make_request())
    assert error_code(excinfo) == "SESSION_CANCELLED"


def test_age_limit_falls_back_to_the_enterprise(session, enterprise, make_request):
    enterprise.min_age = 14
    enterprise.save()
    for age, code in ((None, "AGE_RESTRICTED"), (12, "AGE_RESTRICTED")):
        with pytest.raises(ValidationError) as excinfo:
            services.register(make_request(youngest_participant_age=age))
        assert error_code(excinfo) == code
        assert "youngest_participant_age" in excinfo.value.error_dict  # Python's name
    assert services.register(make_request(youngest_participant_age=14)).created


def test_per_season_cap(enterprise, make_request, settings):
    settings.BOOKING_MAX_ACTIVE_PER_SEASON = 2
    season = factories.SeasonFactory()
    sessions = [
        factories.TourSessionFactory(enterprise=enterprise, season=season) for _ in range(3)
    ]
    for s in sessions[:2]:
        services.register(make_request(session_id=s.pk, email="fan@example.org"))
    with pytest.raises(ValidationError) as excinfo:
        services.register(make_request(session_id=sessions[2].pk, email="fan@example.org"))
    assert error_code(excinfo) == "LIMIT_REACHED"


def test_confirm_then_confirm_again(session, make_request):
    registration = services.register(make_request()).registration
    token = tokens.token_for_salt(registration.token_salt)

    assert services.confirm(token).status == Status.CONFIRMED
    assert services.confirm(token).status == Status.CONFIRMED


def test_expired_hold_cannot_be_confirmed_and_frees_its_seats(session, make_request):
    registration = services.register(make_request(seats=4)).registration
    waiting = services.register(make_request(seats=3)).registration
    assert waiting.status == Status.WAITLISTED
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert services.expire_stale_holds() == 1
    assert services.expire_stale_holds() == 0  # idempotent
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == Status.EXPIRED
    assert waiting.status == Status.PENDING
    assert waiting.promoted_at is not None
    with pytest.raises(ValidationError) as excinfo:
        services.confirm(tokens.token_for_salt(registration.token_salt))
    assert error_code(excinfo) == "HOLD_EXPIRED"


def test_cancel_promotes_the_first_waitlisted_party_that_fits(session, make_request):
    holder = services.register(make_request(seats=4)).registration
    big = services.register(make_request(seats=4)).registration
    small = services.register(make_request(seats=1)).registration  # fits the free seat at once
    late = services.register(make_request(seats=2)).registration
    assert [big.status, small.status, late.status] == [
        Status.WAITLISTED,
        Status.PENDING,
        Status.WAITLISTED,
    ]

    services.cancel(tokens.token_for_salt(holder.token_salt))

    big.refresh_from_db()
    late.refresh_from_db()
    assert big.status == Status.PENDING  # first come, first served, as a whole party
    assert late.status == Status.WAITLISTED  # 4 + 1 seats taken of 5: no room for 2
    assert session.seats_left() == 0


def test_wrong_tokens(session, make_request):
    registration = services.register(make_request()).registration
    good = tokens.token_for_salt(registration.token_salt)
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    for token in ("", "abc", forged, "g" * 64):
        with pytest.raises(ValidationError) as excinfo:
            services.confirm(token)
        assert error_code(excinfo) == "INVALID_TOKEN"


def test_cancel_session_cancels_everyone(session, make_request):
    a = services.register(make_request(seats=4)).registration
    b = services.register(make_request(seats=4)).registration
    services.cancel_session(session.pk, "Плановый ремонт")

    session.refresh_from_db()
    assert session.status == TourSession.Status.CANCELLED
    assert set(Registration.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    assert {a.pk, b.pk} == set(Registration.objects.values_list("pk", flat=True))


def test_attendance_only_on_the_day_and_for_confirmed(session):
    confirmed = factories.RegistrationFactory(session=session)
    with pytest.raises(ValidationError):
        services.mark_attendance(confirmed.pk, attended=True)  # ten days early

    TourSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(minutes=55),
    )
    assert services.mark_attendance(confirmed.pk, attended=True).status == Status.ATTENDED
    assert services.mark_attendance(confirmed.pk, attended=False).status == Status.NO_SHOW
    pending = factories.RegistrationFactory(session=session, status=Status.PENDING)
    with pytest.raises(ValidationError):
        services.mark_attendance(pending.pk, attended=True)


def test_reminders_go_once_the_day_before(enterprise):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    session = factories.TourSessionFactory(
        enterprise=enterprise,
        starts_at=tomorrow.replace(hour=11, minute=0, second=0, microsecond=0),
        ends_at=tomorrow.replace(hour=12, minute=0, second=0, microsecond=0),
    )
    factories.RegistrationFactory(session=session)
    factories.RegistrationFactory(session=session, status=Status.CANCELLED)

    assert services.send_reminders() == 1
    assert services.send_reminders() == 0


def test_old_registrations_are_anonymised(enterprise, settings):
    settings.BOOKING_ANONYMISE_AFTER_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=40)
    old_session = factories.TourSessionFactory(
        enterprise=enterprise, starts_at=long_ago, ends_at=long_ago + datetime.timedelta(hours=1)
    )
    old = factories.RegistrationFactory(session=old_session, status=Status.ATTENDED)
    Consent.objects.create(
        registration=old, kind="processing", text_version="1", ip_address="1.2.3.4"
    )
    recent = factories.RegistrationFactory(session__enterprise=enterprise)

    assert services.anonymise_old_registrations() == 1
    assert services.anonymise_old_registrations() == 0
    old.refresh_from_db()
    assert (old.name, old.phone) == ("—", "")
    assert "example.org" not in old.email
    assert old.consents.get().ip_address is None
    recent.refresh_from_db()
    assert recent.anonymised_at is None


# --- change_capacity -----------------------------------------------------------------


def registration_rows(session) -> list[tuple]:
    return list(
        session.registrations.order_by("pk").values_list(
            "pk", "status", "seats", "hold_expires_at", "promoted_at"
        )
    )


def test_raising_capacity_promotes_the_waitlist_in_order_and_emails_them(
    session, make_request, django_capture_on_commit_callbacks
):
    from django.core import mail

    services.register(make_request(seats=4))  # 1 of 5 seats left
    first = services.register(make_request(seats=3, email="first@example.org")).registration
    second = services.register(make_request(seats=2, email="second@example.org")).registration
    third = services.register(make_request(seats=4, email="third@example.org")).registration
    assert {first.status, second.status, third.status} == {Status.WAITLISTED}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = services.change_capacity(session.pk, 9)  # 5 seats free: 3 + 2, not 4

    assert changed.capacity == 9
    session.refresh_from_db()
    assert session.capacity == 9
    for registration in (first, second, third):
        registration.refresh_from_db()
    assert [first.status, second.status, third.status] == [
        Status.PENDING,
        Status.PENDING,
        Status.WAITLISTED,
    ]
    assert first.promoted_at is not None and first.hold_expires_at > timezone.now()
    assert session.seats_left() == 0
    assert len(callbacks) == 2
    assert [message.to for message in mail.outbox] == [
        ["first@example.org"],
        ["second@example.org"],
    ]
    assert all(message.subject.startswith("Освободилось место") for message in mail.outbox)


def test_a_small_rise_promotes_the_first_party_that_fits(session, make_request):
    services.register(make_request(seats=4))
    big = services.register(make_request(seats=3)).registration
    small = services.register(make_request(seats=2)).registration

    services.change_capacity(session.pk, 6)  # 2 seats free: too few for the first party

    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, small.status) == (Status.WAITLISTED, Status.PENDING)


def test_lowering_capacity_to_the_seats_taken_promotes_nobody(session, make_request):
    services.register(make_request(seats=4))
    waiting = services.register(make_request(seats=2)).registration

    assert services.change_capacity(session.pk, 4).capacity == 4

    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


@pytest.mark.parametrize(
    "capacity",
    [
        3,  # below the 4 seats taken
        0,  # below the field's minimum
        501,  # above its maximum
        "10",  # not a number of seats
    ],
)
def test_refused_capacity_changes_nothing(session, make_request, capacity):
    services.register(make_request(seats=4))
    services.register(make_request(seats=2))  # waitlisted
    before = registration_rows(session)

    with pytest.raises(ValidationError) as excinfo:
        services.change_capacity(session.pk, capacity)

    assert error_code(excinfo) == "INVALID_INPUT"
    assert "capacity" in excinfo.value.error_dict
    session.refresh_from_db()
    assert session.capacity == 5
    assert registration_rows(session) == before


def test_capacity_cannot_go_below_the_largest_party(session):
    with pytest.raises(ValidationError) as excinfo:
        services.change_capacity(session.pk, 3)  # max_party_size is 4, no seats taken
    assert "capacity" in excinfo.value.error_dict
    session.refresh_from_db()
    assert session.capacity == 5


def test_an_edit_saves_its_details_and_capacity_together(session, make_request):
    services.register(make_request(seats=4))
    waiting = services.register(make_request(seats=1)).registration

    edited = services.edit_session(session.pk, 6, {"title": "Цех №2", "max_party_size": 6})

    session.refresh_from_db()
    waiting.refresh_from_db()
    assert (session.title, session.max_party_size, session.capacity) == ("Цех №2", 6, 6)
    assert edited.capacity == 6
    assert waiting.status == Status.PENDING  # the new seat went to the waitlist


def test_a_refused_capacity_undoes_the_whole_edit(session, make_request):
    services.register(make_request(seats=4))
    title = session.title

    with pytest.raises(ValidationError) as excinfo:
        services.edit_session(session.pk, 3, {"title": "Цех №2", "max_party_size": 2})

    assert "capacity" in excinfo.value.error_dict
    session.refresh_from_db()
    assert (session.title, session.max_party_size, session.capacity) == (title, 4, 5)


@pytest.mark.parametrize("field", ["status", "cancelled_at", "cancellation_reason", "capacity"])
def test_an_edit_cannot_cancel_a_session_or_bypass_capacitys_rules(session, field):
    with pytest.raises(ValueError):
        services.edit_session(session.pk, 5, {field: None})


def test_change_capacity_of_a_missing_session(db):
    with pytest.raises(ValidationError) as excinfo:
        services.change_capacity(999_999, 10)
    assert error_code(excinfo) == "NOT_FOUND"


# --- queryset rules ------------------------------------------------------------------


def test_queryset_rules_agree_with_the_sessions_own(enterprise):
    """``with_seats_left``, ``available`` and ``open_for_age`` say in SQL what
    ``seats_left``, ``is_registration_open`` and ``effective_min_age`` say in Python."""
    enterprise.min_age = 14
    enterprise.save()
    full = factories.TourSessionFactory(enterprise=enterprise, capacity=2, min_age=0)
    factories.RegistrationFactory(session=full, seats=2)
    freed = factories.TourSessionFactory(enterprise=enterprise, capacity=2, min_age=18)
    factories.RegistrationFactory(session=freed, seats=2, status=Status.CANCELLED)
    closing = factories.TourSessionFactory(  # seats left, but registration has closed
        enterprise=enterprise, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    inherits = factories.TourSessionFactory(enterprise=enterprise)  # the enterprise's 14
    sessions = TourSession.objects.filter(enterprise=enterprise)

    for queryset in (sessions, sessions.with_seats_taken()):  # annotated already or not
        assert set(queryset.with_seats_left()) == {s for s in sessions if s.seats_left() > 0}
    assert set(sessions.available()) == {
        s for s in sessions if s.seats_left() > 0 and s.is_registration_open()
    }
    assert set(sessions.available()) == {freed, inherits}
    for age in (12, 14, 18):
        expected = {s for s in sessions if (s.effective_min_age or 0) <= age}
        assert set(sessions.open_for_age(age)) == expected
    assert set(sessions.open_for_age(12)) == {full}
    assert closing in sessions.with_seats_left()
