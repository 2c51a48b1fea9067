"""Background work for the game: the link e-mail (an outbox handler) and anonymisation."""

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


@periodic.every(seconds=3600)
def anonymise_inactive_participants() -> int:
    return services.anonymise_inactive_participants()
