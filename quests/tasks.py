"""Background work for the game: its e-mails (outbox handlers) and anonymisation."""

from smtplib import SMTPConnectError, SMTPException, SMTPServerDisconnected

from jobs import deliveries, periodic
from quests import notifications, services


@deliveries.handler(
    notifications.HANDLER,
    retryable=(SMTPException, OSError),
    outage=(ConnectionError, TimeoutError, SMTPServerDisconnected, SMTPConnectError),
)
def send_link(payload: dict) -> bool:
    """Send one magic-link letter if its token still works; False when skipped."""
    return notifications.send_link_now(payload["token"])


@deliveries.handler(
    notifications.CLAIM_HANDLER,
    retryable=(SMTPException, OSError),
    outage=(ConnectionError, TimeoutError, SMTPServerDisconnected, SMTPConnectError),
)
def send_claim(payload: dict) -> bool:
    """Send one prize letter while the claim still waits; False when skipped."""
    return notifications.send_claim_now(payload["claim"])


@periodic.every(seconds=3600)
def anonymise_inactive_participants() -> int:
    return services.anonymise_inactive_participants()
