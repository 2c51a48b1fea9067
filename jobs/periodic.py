"""Work that runs every so often in the task worker (``manage.py run_worker``).

A domain declares it beside the code, in its ``tasks`` module::

    @periodic.every(seconds=60)
    def expire_holds():
        ...

Each job must be safe to run at any time and in several workers at once: they all run it.
Deployments without the worker run the same jobs from cron (``manage.py run_periodic``).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    seconds: float
    run: Callable[[], object]
    next_at: float = field(default=0.0)


JOBS: dict[str, PeriodicJob] = {}


def every(*, seconds: float, name: str | None = None):
    """Run the decorated function every ``seconds`` in each worker."""

    def register(fn: Callable[[], object]):
        job_name = name or f"{fn.__module__}.{fn.__qualname__}"
        JOBS[job_name] = PeriodicJob(job_name, seconds, fn)
        return fn

    return register


def run_due(now: float | None = None) -> list[str]:
    """Run each job whose time has come; one that fails is logged and tried next time."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in JOBS.values():
        if job.next_at > now:
            continue
        job.next_at = now + job.seconds
        try:
            result = job.run()
        except Exception:
            # Broad on purpose: one failing job (a database restart) must not stop the
            # others or the worker; it runs again at its next turn.
            logger.exception("Periodic job %s failed", job.name)
            continue
        if result:
            logger.info("Periodic job %s: %s", job.name, result)
        ran.append(job.name)
    return ran


def run_all() -> dict[str, object]:
    """Run every job once now (cron); return what each returned."""
    return {job.name: job.run() for job in JOBS.values()}
