"""Background work for booking: its e-mails (an outbox handler) and its periodic jobs.

E-mails go through ``jobs.deliveries``: sent once by the task worker, retried over hours
while the mail server is down, listed in the admin if they fail for good. The
registration was committed before, so a send that fails loses nothing.
"""

from smtplib import SMTPConnectError, SMTPException, SMTPServerDisconnected

from booking import emails, services
from booking.notifications import HANDLER
from jobs import deliveries, periodic


@deliveries.handler(
    HANDLER,
    # A mail server that is down, refuses or times out (SMTPException is an OSError too).
    retryable=(SMTPException, OSError),
    # These say the server itself is unreachable or hangs: pause all letters a while.
    outage=(ConnectionError, TimeoutError, SMTPServerDisconnected, SMTPConnectError),
)
def send_notice(payload: dict) -> bool:
    """Send one booking letter if it still applies; False when skipped."""
    return emails.send_notice_now(
        payload["registration"], payload["notice"], edition=payload.get("edition")
    )


@periodic.every(seconds=60)
def expire_holds() -> int:
    return services.expire_stale_holds()


@periodic.every(seconds=600)
def send_reminders() -> int:
    return services.send_reminders()


@periodic.every(seconds=3600)
def anonymise_old_registrations() -> int:
    return services.anonymise_old_registrations()
