"""Which e-mail a registration gets, sent by a background task once the change commits."""

from enum import StrEnum

from django.db import transaction


class Notice(StrEnum):
    CONFIRM_LINK = "confirm_link"  # seats held: confirm from the link
    CONFIRMED = "confirmed"  # details and an .ics file
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"  # a seat is yours: confirm from the link
    REMINDER = "reminder"  # the day before
    CANCELLED = "cancelled"  # by the visitor
    SESSION_CANCELLED = "session_cancelled"  # by the host


def notify(registration, notice: Notice) -> None:
    """Queue the e-mail after commit: a rolled-back change sends nothing."""
    from booking.tasks import send_notice

    registration_id = registration.pk
    transaction.on_commit(lambda: send_notice.enqueue(registration_id, notice.value))
