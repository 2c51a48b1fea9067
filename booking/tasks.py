"""Background work for booking (django-tasks).

django-tasks has no retries of its own, so ``send_notice`` retries a failed send itself
(``cms.task_retries``): later on a backend that can defer, inline a few times on the
in-process backend of development and tests. The registration was committed before the
task was queued, so a send that fails for good loses nothing: the visitor's page still
shows the registration's state.
"""

import logging
import re
from smtplib import SMTPException

from django.conf import settings
from django_tasks import task

from cms.task_retries import retry_later

logger = logging.getLogger(__name__)

# Seconds to wait before each retry on a deferring backend; their number bounds the retries.
DEFAULT_RETRY_DELAYS = (60, 300, 1800)
# Seconds between inline retries: short, as they hold up the process that enqueued the task.
DEFAULT_INLINE_RETRY_SECONDS = 1.0

# A mail server that is down, refuses or times out (SMTPException is an OSError too).
RETRYABLE_ERRORS = (SMTPException, OSError)

# Mail-server errors quote the recipients (SMTPRecipientsRefused, 550 replies): the logs
# name the registration, never its e-mail address.
EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\]{}'\",;:@]+@[^\s<>()\[\]{}'\",;:@]+")


def describe_error(exc: BaseException) -> str:
    """``repr(exc)`` with any e-mail address in it masked."""
    return EMAIL_ADDRESS.sub("<address>", repr(exc))


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
                    "Booking e-mail %s for registration %s not sent after %s attempts: %s",
                    notice,
                    registration_id,
                    attempt,
                    describe_error(exc),
                )
                return
            delay = delays[attempt - 1]
            logger.warning(
                "Booking e-mail %s for registration %s failed (attempt %s), retrying: %s",
                notice,
                registration_id,
                attempt,
                describe_error(exc),
            )
        pause = getattr(
            settings, "BOOKING_EMAIL_INLINE_RETRY_SECONDS", DEFAULT_INLINE_RETRY_SECONDS
        )
        if retry_later(send_notice, (registration_id, notice), attempt + 1, delay, pause):
            return
        attempt += 1
