"""How long seats are held for a party that has not confirmed yet."""

import datetime

from django.conf import settings
from django.utils import timezone

from booking.models import Registration, RegistrationStatus


def hold_until(now: datetime.datetime) -> datetime.datetime:
    """The end of a hold that starts ``now`` (BOOKING_HOLD_MINUTES)."""
    return now + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)


def restart_hold(registration: Registration) -> datetime.datetime | None:
    """Give a still-held registration the full hold from now; return its hold's end.

    Called as its confirmation link is sent: the visitor's time to confirm starts when
    the letter leaves, not when a mail outage ends. One conditional UPDATE, so a hold that
    expired meanwhile (the expiry job holds the session lock) is never revived.
    """
    now = timezone.now()
    new_end = hold_until(now)
    current = registration.hold_expires_at
    if current is not None and current >= new_end:
        return current
    extended = Registration.objects.filter(
        pk=registration.pk,
        status=RegistrationStatus.PENDING,
        hold_expires_at__gt=now,
    ).update(hold_expires_at=new_end)
    return new_end if extended else current
