"""The task worker's housekeeping: its heartbeat and the periodic jobs, in a thread."""

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from jobs import periodic
from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Seconds between heartbeats; /readyz allows a few missed ones (WORKER_HEARTBEAT_MAX_AGE).
HEARTBEAT_SECONDS = 5


def beat(worker_id: str, started_at) -> None:
    """Say that ``worker_id`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now(), "started_at": started_at}
    )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly leaves no heartbeat behind."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Housekeeper(threading.Thread):
    """Beats the heartbeat and runs ``jobs.periodic`` while the worker runs tasks."""

    def __init__(self, worker_id: str):
        super().__init__(name="housekeeper", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            close_old_connections()
            try:
                beat(self.worker_id, self.started_at)
            except DatabaseError:
                logger.warning("Heartbeat not recorded (database unavailable)")
            periodic.run_due()
            self.stopping.wait(HEARTBEAT_SECONDS)
        close_old_connections()

    def stop(self) -> None:
        self.stopping.set()


def run_resiliently(run, pause: float = 2.0) -> None:
    """Run the worker's loop, starting it again after a database outage ends it."""
    while True:
        try:
            run()
            return
        except DatabaseError:
            logger.warning("Task worker: database unavailable, retrying in %ss", pause)
            close_old_connections()
            time.sleep(pause)
