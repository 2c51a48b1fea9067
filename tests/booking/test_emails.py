"""The booking e-mails as a visitor receives them, and how the outbox sends them."""

import datetime
import logging
import re
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from booking import emails, ics, notifications, services, tokens
from booking.models import Registration, TourSession
from booking.notifications import Notice
from jobs import deliveries
from jobs.models import Delivery
from tests import factories

Status = Registration.Status
MOSCOW = ZoneInfo("Europe/Moscow")
MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
).split()
FRONTEND = "https://open.example"
TITLE = "Сборка, покраска; контроль качества"

# The registration status (and session status) each notice is sent for.
STATUS_FOR = {
    Notice.CONFIRM_LINK: Status.PENDING,
    Notice.PROMOTED: Status.PENDING,
    Notice.CONFIRMED: Status.CONFIRMED,
    Notice.REMINDER: Status.CONFIRMED,
    Notice.WAITLISTED: Status.WAITLISTED,
    Notice.CANCELLED: Status.CANCELLED,
    Notice.SESSION_CANCELLED: Status.CANCELLED,
}


def russian(moment: datetime.datetime) -> str:
    """«18 ноября 2031, 11:00», written independently of booking.emails."""
    local = moment.astimezone(MOSCOW)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.FRONTEND_URL = FRONTEND
    settings.WAGTAILADMIN_BASE_URL = "https://cms.example:8443"
    settings.DEFAULT_FROM_EMAIL = "Открой#Моспром <noreply@open.example>"
    settings.DELIVERY_RETRY_DELAYS = [60, 300, 1800]


@pytest.fixture
def excursion(site_tree) -> TourSession:
    """A session a month ahead, at 11:00 Moscow time, for ages 12 and up with an ID."""
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Завод «Кристалл»", min_age=12
    )
    day = (timezone.now() + datetime.timedelta(days=30)).astimezone(MOSCOW).date()
    starts_at = datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=MOSCOW)
    return TourSession.objects.create(
        enterprise=enterprise,
        event_format=factories.EventFormatFactory(name="Экскурсия"),
        season=factories.SeasonFactory(),
        title=TITLE,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        meeting_point="Проходная № 2, Рябиновая ул., 44",
        id_document_required=True,
    )


def make_registration(session: TourSession, status=Status.PENDING, **fields) -> Registration:
    salt = tokens.new_salt()
    values = {
        "name": "Анна Смирнова",
        "email": "anna@example.org",
        "phone": "+79001234567",
        "seats": 3,
        "status": status,
        "token_salt": salt,
        "token_hash": tokens.hash_token(tokens.token_for_salt(salt)),
        "hold_expires_at": (
            timezone.now() + datetime.timedelta(minutes=60) if status == Status.PENDING else None
        ),
    }
    values.update(fields)
    return Registration.objects.create(session=session, **values)


def registration_for(session: TourSession, notice: Notice) -> Registration:
    if notice == Notice.SESSION_CANCELLED:
        session.status = TourSession.Status.CANCELLED
        session.cancellation_reason = "Плановый ремонт цеха"
        session.save()
    if notice == Notice.PROMOTED:
        return make_registration(session, Status.PENDING, promoted_at=timezone.now())
    return make_registration(session, STATUS_FOR[notice])


def links(registration: Registration) -> dict[str, str]:
    token = tokens.token_for_salt(registration.token_salt)
    return {
        "confirm": f"{FRONTEND}/registration/confirm?token={token}",
        "cancel": f"{FRONTEND}/registration/cancel?token={token}",
        "view": f"{FRONTEND}/registration?token={token}",
    }


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def calendar_of(message) -> str:
    [attachment] = message.attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar; method=PUBLISH"
    return content


def unfold(calendar: str) -> list[tuple[str, str]]:
    """The calendar's content lines, unfolded (RFC 5545 §3.1), as (name, value) pairs."""
    lines = calendar.replace("\r\n ", "").split("\r\n")
    return [tuple(line.split(":", 1)) for line in lines if line]


# --- what each e-mail says --------------------------------------------------------------


@pytest.mark.parametrize("notice", list(Notice))
def test_each_notice_is_russian_text_and_html_with_front_end_links(excursion, notice):
    registration = registration_for(excursion, notice)
    url = links(registration)

    assert emails.send_notice_now(registration.pk, notice.value) is True

    [message] = mail.outbox
    html = html_of(message)
    assert message.to == ["anna@example.org"]
    assert message.from_email == "Открой#Моспром <noreply@open.example>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message.message()
    assert TITLE in message.subject
    for body in (message.body, html):
        assert "Здравствуйте, Анна Смирнова!" in body
        assert TITLE in body
        assert "Завод «Кристалл»" in body
        assert russian(excursion.starts_at) in body
        assert "по московскому времени" in body
        # Every link leads to the front end, never to the CMS host that sends the mail.
        assert "cms.example" not in body
        assert (url["confirm"] in body) == (notice in {Notice.CONFIRM_LINK, Notice.PROMOTED})
        assert (url["cancel"] in body) == (
            notice not in {Notice.CANCELLED, Notice.SESSION_CANCELLED}
        )
        if notice in {Notice.CONFIRMED, Notice.WAITLISTED, Notice.REMINDER}:
            assert url["view"] in body
    assert html.startswith("<!DOCTYPE html>") and '<html lang="ru">' in html
    assert f'href="{url["cancel"]}"' in html or notice in emails.CANCELLATION_NOTICES


def test_the_token_in_the_link_opens_the_registration(excursion):
    registration = make_registration(excursion)

    emails.send_notice_now(registration.pk, Notice.CONFIRM_LINK)

    [message] = mail.outbox
    [token] = re.findall(r"/registration/confirm\?token=([0-9a-f]+)", message.body)
    assert services.find_by_token(token) == registration


@pytest.mark.parametrize("notice", [Notice.CONFIRM_LINK, Notice.PROMOTED])
def test_confirmation_requests_say_until_when(excursion, notice):
    hold = datetime.datetime(2031, 3, 1, 9, 30, tzinfo=datetime.UTC)
    registration = make_registration(excursion, hold_expires_at=hold)
    # The hold is checked against "now", so only the text is tested here.
    message = emails.build_message(registration, notice)

    assert "до 1 марта 2031, 12:30 по московскому времени" in message.body
    assert "подтвердите запись" in message.subject.lower()


@pytest.mark.parametrize("notice", [Notice.CONFIRM_LINK, Notice.CONFIRMED, Notice.REMINDER])
def test_visitor_details_list_place_seats_and_requirements(excursion, notice):
    registration = make_registration(excursion, STATUS_FOR[notice])

    emails.send_notice_now(registration.pk, notice.value)

    [message] = mail.outbox
    for body in (message.body, html_of(message)):
        assert "Проходная № 2, Рябиновая ул., 44" in body
        assert "Участников: 3" in body or "Участников:</span> 3" in body
        assert "от 12 лет" in body  # the enterprise's minimum age, the session has none
        assert "документ, удостоверяющий личность" in body


def test_an_online_session_gives_its_stream_as_a_link(excursion):
    excursion.meeting_point = ""
    excursion.stream_url = "https://stream.example/live"
    excursion.save()
    registration = make_registration(excursion, Status.CONFIRMED)

    emails.send_notice_now(registration.pk, Notice.CONFIRMED)

    [message] = mail.outbox
    assert "Трансляция: https://stream.example/live" in message.body
    assert '<a href="https://stream.example/live"' in html_of(message)


def test_session_cancelled_gives_the_reason_escaped_in_html(excursion):
    excursion.status = TourSession.Status.CANCELLED
    excursion.cancellation_reason = "Ремонт <цеха> & линии"
    excursion.save()
    registration = make_registration(excursion, Status.CANCELLED)

    emails.send_notice_now(registration.pk, Notice.SESSION_CANCELLED)

    [message] = mail.outbox
    assert "Причина: Ремонт <цеха> & линии" in message.body  # plain text is not HTML-escaped
    html = html_of(message)
    assert "Ремонт &lt;цеха&gt; &amp; линии" in html
    assert "<цеха>" not in html
    assert f'href="{FRONTEND}/"' in html  # somewhere to choose another excursion


def test_only_confirmed_and_reminder_carry_a_calendar(excursion):
    for notice in Notice:
        registration = registration_for(excursion, notice)
        message = emails.build_message(registration, notice)
        assert bool(message.attachments) == (notice in {Notice.CONFIRMED, Notice.REMINDER})
        registration.delete()


# --- the .ics file -------------------------------------------------------------------


@pytest.mark.parametrize("notice", [Notice.CONFIRMED, Notice.REMINDER])
def test_calendar_file_is_valid_rfc_5545(excursion, notice):
    registration = make_registration(excursion, Status.CONFIRMED)

    emails.send_notice_now(registration.pk, notice.value)

    [message] = mail.outbox
    calendar = calendar_of(message)
    assert calendar.endswith("\r\n")
    assert "\n" not in calendar.replace("\r\n", "")  # CRLF only, no bare LF
    physical = calendar.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)  # the long description is folded
    lines = unfold(calendar)
    assert lines[0] == ("BEGIN", "VCALENDAR") and lines[-1] == ("END", "VCALENDAR")
    assert ("BEGIN", "VEVENT") in lines and ("END", "VEVENT") in lines
    properties = dict(lines)
    assert properties["VERSION"] == "2.0" and properties["METHOD"] == "PUBLISH"
    assert properties["UID"] == f"registration-{registration.pk}@cms.example"
    assert properties["DTSTART"] == excursion.starts_at.astimezone(datetime.UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert properties["DTSTART"].endswith("T080000Z")  # 11:00 in Moscow is 08:00 UTC
    assert properties["DTEND"].endswith("T100000Z")
    assert properties["DTSTAMP"].endswith("Z")
    assert properties["SUMMARY"].startswith("Сборка\\, покраска\\; контроль качества")
    assert properties["LOCATION"] == "Проходная № 2\\, Рябиновая ул.\\, 44"
    assert "\\n" in properties["DESCRIPTION"]
    # Calendars get shared: the event links to the public page and carries no token.
    assert properties["URL"] == f"{FRONTEND}{excursion.enterprise.path_on_site()}"
    assert tokens.token_for_salt(registration.token_salt) not in calendar
    # The MIME part says what it is, so mail clients offer "add to calendar".
    [part] = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH"
    assert part.get_content_charset() == "utf-8"


def test_calendar_escaping_and_folding_by_octets():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    line = "DESCRIPTION:" + "Экскурсия на завод " * 10
    folded = ics.fold(line)
    chunks = folded.split("\r\n")
    assert all(len(chunk.encode()) <= 75 for chunk in chunks)
    assert all(chunk.startswith(" ") for chunk in chunks[1:])
    assert folded.replace("\r\n ", "") == line  # no character was split or lost
    assert ics.fold("SHORT:ok") == "SHORT:ok"


# --- late or repeated tasks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "change"),
    [
        (Notice.CONFIRM_LINK, {"status": Status.CANCELLED, "hold_expires_at": None}),
        (Notice.CONFIRM_LINK, {"status": Status.CONFIRMED}),
        (Notice.CONFIRM_LINK, {"hold_expires_at": timezone.now() - datetime.timedelta(1)}),
        (Notice.PROMOTED, {"status": Status.EXPIRED}),
        (Notice.PROMOTED, {"promoted_at": None}),  # never was on the waitlist
        (Notice.WAITLISTED, {"status": Status.PENDING}),
        (Notice.CONFIRMED, {"status": Status.CANCELLED}),
        (Notice.REMINDER, {"status": Status.CANCELLED}),
        (Notice.CANCELLED, {"status": Status.CONFIRMED}),
        (Notice.SESSION_CANCELLED, {"status": Status.CANCELLED}),  # the session still runs
        (Notice.CONFIRMED, {"anonymised_at": timezone.now()}),
    ],
)
def test_a_notice_that_no_longer_fits_is_skipped(excursion, notice, change, caplog):
    # The session stays scheduled; the registration fits the notice until ``change``.
    registration = make_registration(excursion, STATUS_FOR[notice], promoted_at=timezone.now())
    Registration.objects.filter(pk=registration.pk).update(**change)

    with caplog.at_level(logging.INFO, logger="booking"):
        notify_now(registration, notice)

    assert mail.outbox == []
    assert f"no longer applies to registration {registration.pk}" in caplog.text
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_a_notice_for_a_deleted_registration_is_skipped(excursion, caplog):
    registration = make_registration(excursion, Status.CONFIRMED)
    pk = registration.pk
    registration.delete()

    with caplog.at_level(logging.INFO, logger="booking"):
        assert emails.send_notice_now(pk, Notice.CONFIRMED) is False

    assert mail.outbox == []
    assert f"registration {pk} is gone" in caplog.text


def test_a_reminder_for_a_session_that_has_started_is_skipped(excursion):
    registration = make_registration(excursion, Status.CONFIRMED)
    TourSession.objects.filter(pk=excursion.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert emails.send_notice_now(registration.pk, Notice.REMINDER) is False
    assert mail.outbox == []


# --- a failing mail server --------------------------------------------------------------


def notify_now(registration, notice):
    """Ask for a letter and commit, as a service does; the in-process backend sends it."""
    with transaction.atomic():
        notifications.notify(registration, notice)
    # pytest-django's transaction is not committed: run what on_commit would.
    deliveries.enqueue(Delivery.objects.latest("pk").pk)


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


@pytest.fixture
def failing_server(monkeypatch):
    """Make the mail server fail the first ``failures["left"]`` sends; count every call."""
    state = {"left": 0, "calls": 0, "error": smtplib.SMTPRecipientsRefused({})}
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        state["calls"] += 1
        if state["left"]:
            state["left"] -= 1
            raise state["error"]
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def test_a_failed_send_waits_a_minute_then_goes_out(excursion, failing_server, caplog):
    registration = make_registration(excursion, Status.CONFIRMED)
    failing_server["left"] = 1

    with caplog.at_level(logging.WARNING, logger="jobs"):
        notify_now(registration, Notice.CONFIRMED)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, mail.outbox) == ("pending", 1, [])
    assert "SMTPRecipientsRefused" in delivery.last_error
    assert f"по заявке №{registration.pk}) failed (attempt 1)" in caplog.text
    assert delivery.next_attempt_at > later(55)  # the retry waits, not the request
    assert deliveries.send_due(now=later(30)) == 0  # not yet

    assert deliveries.send_due(now=later(61)) == 1

    assert failing_server["calls"] == 2
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_server_that_keeps_failing_ends_in_a_logged_failure_and_changes_nothing(
    excursion, failing_server, caplog
):
    registration = make_registration(excursion, Status.CONFIRMED)
    before = Registration.objects.filter(pk=registration.pk).values().get()
    failing_server["left"] = 100

    with caplog.at_level(logging.WARNING, logger="jobs"):
        notify_now(registration, Notice.CONFIRMED)
        for wait in (61, 61 + 301, 61 + 301 + 1801, 10**6):
            deliveries.send_due(now=later(wait))

    assert failing_server["calls"] == 4  # the first attempt and three retries
    assert mail.outbox == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 4)
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "failed for good after 4 attempts" in error.getMessage()
    assert "@" not in error.getMessage()  # the recipient's address never reaches the logs
    assert Registration.objects.filter(pk=registration.pk).values().get() == before


def test_a_mail_server_that_is_down_pauses_every_letter_without_spending_attempts(
    excursion, failing_server
):
    first = make_registration(excursion, Status.CONFIRMED, email="first@example.org")
    second = make_registration(excursion, Status.CONFIRMED, email="second@example.org")
    failing_server.update(left=100, error=ConnectionRefusedError(111, "Connection refused"))

    notify_now(first, Notice.CONFIRMED)  # refused: the server is down, letters pause
    notify_now(second, Notice.CONFIRMED)

    assert failing_server["calls"] == 1
    attempts = dict(Delivery.objects.values_list("payload__registration", "attempts"))
    assert attempts == {first.pk: 1, second.pk: 0}

    failing_server["left"] = 0  # back: once the pause and the retry wait are over
    assert deliveries.send_due(now=later(3600)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.org", "second@example.org"]


def test_a_delivery_run_twice_or_asked_for_twice_sends_one_letter(excursion):
    registration = make_registration(excursion, Status.CONFIRMED)

    notify_now(registration, Notice.CONFIRMED)
    notify_now(registration, Notice.CONFIRMED)  # a job that ran twice asks again
    delivery = Delivery.objects.get()
    assert deliveries.attempt(delivery.pk) == "sent"  # a task that runs twice
    deliveries.send_due(now=later(10**6))

    assert len(mail.outbox) == 1


def test_a_send_cut_off_by_a_killed_worker_is_due_again_only_after_the_claim_timeout(excursion):
    registration = make_registration(excursion, Status.CONFIRMED)
    with transaction.atomic():
        notifications.notify(registration, Notice.CONFIRMED)
    # A worker claimed it and died before sending.
    Delivery.objects.update(status="sending", claimed_at=timezone.now(), attempts=1)

    assert deliveries.send_due(now=later(60)) == 0  # maybe still sending: not doubled

    assert deliveries.send_due(now=later(601)) == 1
    assert len(mail.outbox) == 1


def test_a_deferring_backend_gets_the_retry_queued_for_later(excursion, failing_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from jobs.deliveries import run_delivery

    registration = make_registration(excursion, Status.CONFIRMED)
    failing_server["left"] = 1
    with transaction.atomic():
        notifications.notify(registration, Notice.CONFIRMED)
    delivery = Delivery.objects.get()
    started = timezone.now()

    deliveries.attempt(delivery.pk)  # what the worker does with the first task

    assert mail.outbox == []
    [retry] = run_delivery.get_backend().results
    assert list(retry.args) == [delivery.pk]
    assert retry.task.run_after - started >= datetime.timedelta(seconds=60)
    assert retry.task.run_after - started < datetime.timedelta(seconds=70)

    deliveries.attempt(delivery.pk, now=retry.task.run_after)  # when the time comes

    assert len(mail.outbox) == 1


def test_a_link_letter_restarts_the_hold_from_when_it_is_sent(excursion, settings):
    settings.BOOKING_HOLD_MINUTES = 60
    registration = make_registration(excursion, Status.PENDING)
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() + datetime.timedelta(minutes=5)  # a long outage
    )
    registration.refresh_from_db()

    notify_now(registration, Notice.CONFIRM_LINK)

    registration.refresh_from_db()
    assert registration.hold_expires_at > timezone.now() + datetime.timedelta(minutes=59)
    [message] = mail.outbox
    assert russian(registration.hold_expires_at) in message.body


def test_a_letter_with_a_replaced_link_is_not_sent(excursion, caplog):
    registration = make_registration(excursion, Status.CONFIRMED)
    with transaction.atomic():
        notifications.notify(registration, Notice.CONFIRMED)
    Registration.objects.filter(pk=registration.pk).update(token_salt=tokens.new_salt())

    with caplog.at_level(logging.INFO, logger="booking"):
        deliveries.send_due()

    assert mail.outbox == []
    assert "has a newer link" in caplog.text


# --- sent after commit, only after commit ---------------------------------------------------


def test_notify_in_a_rolled_back_transaction_sends_nothing(
    excursion, django_capture_on_commit_callbacks
):
    registration = make_registration(excursion, Status.CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify(registration, Notice.CONFIRMED)
            raise RuntimeError("the change is rolled back")

    assert callbacks == []
    assert mail.outbox == []


def test_notify_in_a_committed_transaction_sends_once_after_commit(
    excursion, django_capture_on_commit_callbacks
):
    registration = make_registration(excursion, Status.CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notifications.notify(registration, Notice.CONFIRMED)
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["anna@example.org"]
    assert calendar_of(message)
