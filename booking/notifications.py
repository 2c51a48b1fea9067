"""Which e-mail a registration gets: an outbox row written with the change, sent by the
task worker once the change commits (``jobs.deliveries``)."""

import hashlib
from enum import StrEnum

from jobs import deliveries

HANDLER = "booking.notice"


class Notice(StrEnum):
    CONFIRM_LINK = "confirm_link"  # seats held: confirm from the link
    CONFIRMED = "confirmed"  # details and an .ics file
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"  # a seat is yours: confirm from the link
    REMINDER = "reminder"  # the day before
    CANCELLED = "cancelled"  # by the visitor
    SESSION_CANCELLED = "session_cancelled"  # by the host


# What the admin's list of deliveries calls each letter.
LABELS = {
    Notice.CONFIRM_LINK: "Подтвердите запись",
    Notice.CONFIRMED: "Запись подтверждена",
    Notice.WAITLISTED: "Лист ожидания",
    Notice.PROMOTED: "Освободилось место",
    Notice.REMINDER: "Напоминание",
    Notice.CANCELLED: "Запись отменена",
    Notice.SESSION_CANCELLED: "Сеанс отменён",
}


def edition(registration) -> str:
    """Which of the registration's tokens a letter carries: a new token (a resend) is a
    new edition, so its letter is a new delivery, and letters of older ones are stale."""
    return hashlib.sha256(registration.token_salt.encode()).hexdigest()[:12]


def notify(registration, notice: Notice) -> None:
    """Ask for the e-mail in the current transaction: a rolled-back change sends nothing,
    and asking twice for the same letter (a job run twice) sends it once."""
    current = edition(registration)
    deliveries.schedule(
        HANDLER,
        key=f"booking:{registration.pk}:{notice.value}:{current}",
        payload={"registration": registration.pk, "notice": notice.value, "edition": current},
        description=f"Письмо «{LABELS[notice]}» по заявке №{registration.pk}",
    )
