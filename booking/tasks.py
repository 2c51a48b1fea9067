"""Background work for booking (django-tasks).

django-tasks has no retries of its own, so ``send_notice`` retries a failed send itself:
on a backend that can run a task later it re-enqueues itself with a delay; on one that
cannot (the in-process ImmediateBackend of development and tests) it retries inline a
few times. The registration was committed before the task was queued, so a send that
fails for good loses nothing: the visitor's page still shows the registration's state.
"""

import datetime
import logging
import time
from smtplib import SMTPException

from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Seconds to wait before each retry on a deferring backend; their number bounds the retries.
DEFAULT_RETRY_DELAYS = (60, 300, 1800)
# Seconds between inline retries: short, as they hold up the process that enqueued the task.
DEFAULT_INLINE_RETRY_SECONDS = 1.0

# A mail server that is down, refuses or times out (SMTPException is an OSError too).
RETRYABLE_ERRORS = (SMTPException, OSError)


def retry_delays() -> list[float]:
    """``BOOKING_EMAIL_RETRY_DELAYS``: the wait before retry 1, 2, …"""
    return list(getattr(settings, "BOOKING_EMAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


@task()
def send_notice(registration_id: int, notice: str, attempt: int = 1) -> None:
    """Send one booking e-mail (``booking.emails``), retrying if the mail server fails.

    ``attempt`` counts from 1; a retry enqueued by a failed attempt carries the next one.
    Never raises for a mail-server failure: the last one is logged as an error.
    """
    from booking.emails import send_notice_now

    delays = retry_delays()
    while True:
        try:
            send_notice_now(registration_id, notice)
            return
        except RETRYABLE_ERRORS as exc:
            if attempt > len(delays):
                logger.error(
                    "Booking e-mail %s for registration %s not sent after %s attempts: %r",
                    notice,
                    registration_id,
                    attempt,
                    exc,
                )
                return
            delay = delays[attempt - 1]
            logger.warning(
                "Booking e-mail %s for registration %s failed (attempt %s), retrying: %r",
                notice,
                registration_id,
                attempt,
                exc,
            )
        if _enqueue_retry(registration_id, notice, attempt + 1, delay):
            return
        # This backend cannot defer: retry here, after a short pause.
        time.sleep(
            getattr(settings, "BOOKING_EMAIL_INLINE_RETRY_SECONDS", DEFAULT_INLINE_RETRY_SECONDS)
        )
        attempt += 1


def _enqueue_retry(registration_id: int, notice: str, attempt: int, delay: float) -> bool:
    """Queue the next attempt ``delay`` seconds from now; False if the backend cannot defer."""
    if not send_notice.get_backend().supports_defer:
        return False
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    try:
        send_notice.using(run_after=run_after).enqueue(registration_id, notice, attempt)
    except Exception:
        # The queue itself is unavailable: say which registration missed its e-mail.
        logger.exception(
            "Booking e-mail %s for registration %s: could not queue attempt %s",
            notice,
            registration_id,
            attempt,
        )
    return True
