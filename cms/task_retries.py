"""Retries for django-tasks tasks, which have none of their own.

A task that failed asks for its next attempt with ``retry_later``: on a backend that can
run a task later the attempt is queued after a delay; on one that cannot (the in-process
backend of development and tests) the task pauses briefly and tries again itself.
"""

import datetime
import logging
import time

from django.utils import timezone

logger = logging.getLogger(__name__)


def retry_later(task, args: tuple, next_attempt: int, delay: float, inline_pause: float) -> bool:
    """Arrange ``task(*args, next_attempt)``.

    True: it is queued to run ``delay`` seconds from now, and this run is over. False: the
    backend cannot defer, so after ``inline_pause`` seconds the caller tries again itself.
    """
    if not task.get_backend().supports_defer:
        time.sleep(inline_pause)
        return False
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    try:
        task.using(run_after=run_after).enqueue(*args, next_attempt)
    except Exception:
        # The queue itself is unavailable: say which work missed its retry.
        logger.exception("%s%r: attempt %s could not be queued", task.name, args, next_attempt)
    return True
