"""The booking e-mails: one per ``Notice``, in Russian, plain text and HTML.

Every link goes to the front end (``FRONTEND_URL``), whose page calls the GraphQL
mutation: a link never changes anything by being opened (mail scanners open links).
A notice is sent only while it is still true: the task may run late or twice, and an
e-mail asking to confirm a registration that is already cancelled would mislead.
"""

import datetime
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation

from booking import holds, ics, notifications, tokens
from booking.clock import in_moscow
from booking.models import Registration, TourSession
from booking.notifications import Notice

logger = logging.getLogger(__name__)

Status = Registration.Status

SUBJECTS = {
    Notice.CONFIRM_LINK: "Подтвердите запись: {title}",
    Notice.CONFIRMED: "Запись подтверждена: {title}",
    Notice.WAITLISTED: "Вы в листе ожидания: {title}",
    Notice.PROMOTED: "Освободилось место — подтвердите запись: {title}",
    Notice.REMINDER: "Напоминание: {title}, {date}",
    Notice.CANCELLED: "Запись отменена: {title}",
    Notice.SESSION_CANCELLED: "Сеанс отменён: {title}",
}
# Notices that ask for confirmation and say until when.
CONFIRMATION_NOTICES = {Notice.CONFIRM_LINK, Notice.PROMOTED}
# Notices about a registration that is over: no cancel link, no visitor requirements.
CANCELLATION_NOTICES = {Notice.CANCELLED, Notice.SESSION_CANCELLED}
# Notices that carry the event for the visitor's calendar.
CALENDAR_NOTICES = {Notice.CONFIRMED, Notice.REMINDER}
ICS_FILENAME = "open-mosprom.ics"


# --- when a notice still applies ------------------------------------------------------


def _upcoming(registration: Registration, now: datetime.datetime) -> bool:
    session = registration.session
    return session.status == TourSession.Status.SCHEDULED and session.starts_at > now


def _holding(registration: Registration, now: datetime.datetime) -> bool:
    return (
        registration.status == Status.PENDING
        and registration.hold_expires_at is not None
        and registration.hold_expires_at > now
        and _upcoming(registration, now)
    )


APPLIES: dict[Notice, Callable[[Registration, datetime.datetime], bool]] = {
    Notice.CONFIRM_LINK: _holding,
    Notice.PROMOTED: lambda r, now: r.promoted_at is not None and _holding(r, now),
    Notice.CONFIRMED: lambda r, now: r.status == Status.CONFIRMED and _upcoming(r, now),
    Notice.REMINDER: lambda r, now: r.status == Status.CONFIRMED and _upcoming(r, now),
    Notice.WAITLISTED: lambda r, now: r.status == Status.WAITLISTED and _upcoming(r, now),
    Notice.CANCELLED: lambda r, now: r.status == Status.CANCELLED,
    Notice.SESSION_CANCELLED: lambda r, now: (
        r.status == Status.CANCELLED and r.session.status == TourSession.Status.CANCELLED
    ),
}


def notice_applies(
    registration: Registration, notice: Notice, now: datetime.datetime | None = None
) -> bool:
    """Whether ``notice`` still tells the truth about ``registration`` (and it has an owner)."""
    if registration.anonymised_at is not None:
        return False
    return APPLIES[notice](registration, now or timezone.now())


# --- formatting ----------------------------------------------------------------------


def format_date(moment: datetime.datetime) -> str:
    """«18 ноября 2025» in Moscow time."""
    with translation.override("ru"):
        return dateformat.format(in_moscow(moment), "j E Y")


def format_time(moment: datetime.datetime) -> str:
    """«11:00» in Moscow time."""
    return in_moscow(moment).strftime("%H:%M")


def format_datetime(moment: datetime.datetime) -> str:
    """«18 ноября 2025, 11:00» in Moscow time."""
    return f"{format_date(moment)}, {format_time(moment)}"


def format_period(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """«18 ноября 2025, 11:00–13:00», or both dates in full when it spans days."""
    if in_moscow(starts_at).date() == in_moscow(ends_at).date():
        return f"{format_datetime(starts_at)}–{format_time(ends_at)}"
    return f"{format_datetime(starts_at)} — {format_datetime(ends_at)}"


def age_phrase(age: int) -> str:
    """«от 12 лет», «от 1 года», «от 21 года» (genitive after «от»)."""
    return f"от {age} {'года' if age % 10 == 1 and age % 100 != 11 else 'лет'}"


# --- links ---------------------------------------------------------------------------


def frontend_link(path: str, token: str | None = None) -> str:
    """An address on the front end; the token goes in the query string."""
    url = settings.FRONTEND_URL.rstrip("/") + path
    return f"{url}?{urlencode({'token': token})}" if token else url


def registration_links(registration: Registration) -> dict[str, str]:
    """The visitor's links: confirm, cancel and view, each carrying the registration's token.

    The token is rebuilt from the stored salt; the database never holds the token itself.
    """
    token = tokens.token_for_salt(registration.token_salt)
    return {
        "confirm_url": frontend_link("/registration/confirm", token),
        "cancel_url": frontend_link("/registration/cancel", token),
        "view_url": frontend_link("/registration", token),
    }


# --- the message ---------------------------------------------------------------------


def _place(session: TourSession) -> list[dict]:
    if session.meeting_point:
        return [{"label": "Место сбора", "value": session.meeting_point}]
    if session.stream_url:
        return [{"label": "Трансляция", "value": session.stream_url, "is_url": True}]
    if session.enterprise.address:
        return [{"label": "Адрес", "value": session.enterprise.address}]
    return []


def _requirements(session: TourSession) -> list[str]:
    items = []
    min_age = session.effective_min_age
    if min_age:
        items.append(f"Участникам должно быть {age_phrase(min_age)}.")
    if session.id_document_required:
        items.append("Возьмите с собой документ, удостоверяющий личность: его попросят на входе.")
    notes = session.enterprise.visitor_notes.strip()
    if notes:
        items.append(notes)
    return items


def build_context(registration: Registration, notice: Notice) -> dict:
    """Everything the templates show for this registration and notice."""
    session = registration.session
    links = registration_links(registration)
    when = f"{format_period(session.starts_at, session.ends_at)} по московскому времени"
    details = [{"label": "Когда", "value": when}]
    if notice not in CANCELLATION_NOTICES:
        details += _place(session)
    details.append({"label": "Участников", "value": str(registration.seats)})
    if notice in CONFIRMATION_NOTICES:
        actions = [
            {"label": "Подтвердить запись", "url": links["confirm_url"], "primary": True},
            {"label": "Отменить заявку", "url": links["cancel_url"]},
        ]
    elif notice in CANCELLATION_NOTICES:
        actions = [{"label": "Выбрать другую экскурсию", "url": frontend_link("/")}]
    else:
        actions = [
            {"label": "Открыть заявку", "url": links["view_url"], "primary": True},
            {"label": "Отменить запись", "url": links["cancel_url"]},
        ]
    return {
        "notice": notice.value,
        "name": registration.name,
        "title": session.display_title,
        "enterprise": session.enterprise.title,
        "date": format_date(session.starts_at),
        "time": format_time(session.starts_at),
        "when": format_datetime(session.starts_at),
        "hold_until": (
            format_datetime(registration.hold_expires_at) if registration.hold_expires_at else ""
        ),
        "reason": session.cancellation_reason.strip(),
        "details": details,
        "requirements": [] if notice in CANCELLATION_NOTICES else _requirements(session),
        "actions": actions,
        "show_personal_links_note": notice not in CANCELLATION_NOTICES,
        **links,
    }


def calendar_file(registration: Registration, context: dict) -> str:
    """The registration's event as an .ics text (METHOD:PUBLISH)."""
    session = registration.session
    place = session.meeting_point or session.stream_url or session.enterprise.address
    description = [
        session.enterprise.title,
        f"Начало: {context['when']} по московскому времени",
        f"Участников: {registration.seats}",
        *context["requirements"],
    ]
    # Calendars get shared: the event links to the enterprise's public page, not to the
    # token link that opens (and can cancel) the registration.
    public_url = frontend_link(session.enterprise.path_on_site() or "/")
    event = ics.CalendarEvent(
        uid=ics.registration_uid(registration.pk),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=f"{session.display_title} — {session.enterprise.title}",
        location=place,
        description="\n".join(description),
        url=public_url,
    )
    return ics.render_calendar(event)


def build_message(registration: Registration, notice: Notice) -> EmailMultiAlternatives:
    """The e-mail for ``notice``: text, HTML alternative and, where it helps, an .ics."""
    context = build_context(registration, notice)
    # The notice's own paragraphs are written once, as text; the HTML escapes and wraps them.
    context["intro"] = render_to_string(
        f"booking/email/notices/{notice.value}.txt", context
    ).strip()
    subject = SUBJECTS[notice].format(title=context["title"], date=context["date"])
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header: no line breaks whatever the title holds
        body=render_to_string("booking/email/message.txt", context).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
        headers={
            # RFC 3834: an automatic message; well-behaved autoresponders stay quiet.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(render_to_string("booking/email/message.html", context), "text/html")
    if notice in CALENDAR_NOTICES:
        message.attach(
            ICS_FILENAME, calendar_file(registration, context), "text/calendar; method=PUBLISH"
        )
    return message


def send_notice_now(registration_id: int, notice: str, edition: str | None = None) -> bool:
    """Send the e-mail for ``notice`` now, if it still applies; return whether one was sent.

    A registration that is gone, anonymised, in a state the notice no longer describes,
    or whose token was replaced since the letter was asked for (``edition``: a newer
    letter carries the new link) is skipped with a log line. A letter with a confirmation
    link gives the visitor the full hold from the moment it is sent, so a mail outage
    does not eat the time to confirm. Mail-server errors propagate: the outbox retries.
    """
    notice = Notice(notice)
    registration = (
        Registration.objects.select_related("session__enterprise", "session__event_format")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        logger.info("Booking e-mail %s skipped: registration %s is gone", notice, registration_id)
        return False
    if edition is not None and edition != notifications.edition(registration):
        logger.info(
            "Booking e-mail %s skipped: registration %s has a newer link",
            notice,
            registration_id,
        )
        return False
    if not notice_applies(registration, notice):
        logger.info(
            "Booking e-mail %s skipped: no longer applies to registration %s (status %s)",
            notice,
            registration_id,
            registration.status,
        )
        return False
    if notice in CONFIRMATION_NOTICES:
        registration.hold_expires_at = holds.restart_hold(registration)
    build_message(registration, notice).send()
    logger.info("Booking e-mail %s sent for registration %s", notice, registration_id)
    return True
