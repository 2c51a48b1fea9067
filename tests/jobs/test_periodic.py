"""Periodic jobs and the worker's housekeeping, in-process."""

import datetime
import logging

from django.utils import timezone

from jobs import periodic
from jobs.models import Delivery, WorkerHeartbeat
from jobs.tasks import prune_old_records
from jobs.worker import Housekeeper, beat, forget


def test_a_failing_job_is_logged_and_the_others_still_run(monkeypatch, caplog):
    ran = []
    monkeypatch.setattr(periodic, "JOBS", {})

    @periodic.every(seconds=60, name="broken")
    def broken():
        raise RuntimeError("база недоступна")

    @periodic.every(seconds=60, name="fine")
    def fine():
        ran.append("fine")
        return 3

    with caplog.at_level(logging.INFO, logger="jobs.periodic"):
        assert periodic.run_due(now=1000.0) == ["fine"]
    assert ran == ["fine"]
    assert "Periodic job broken failed" in caplog.text
    assert "Periodic job fine: 3" in caplog.text

    assert periodic.run_due(now=1030.0) == []  # not due again before its minute
    assert periodic.run_due(now=1061.0) == ["fine"]  # the broken one is tried again too
    assert caplog.text.count("Periodic job broken failed") == 2


def test_the_heartbeat_is_recorded_and_forgotten_on_a_clean_stop(db):
    started = timezone.now()
    beat("worker-1", started)
    first = WorkerHeartbeat.objects.get(pk="worker-1").seen_at
    beat("worker-1", started)

    heartbeat = WorkerHeartbeat.objects.get(pk="worker-1")
    assert heartbeat.seen_at >= first and heartbeat.started_at == started
    forget("worker-1")
    assert not WorkerHeartbeat.objects.exists()


def test_the_housekeeper_beats_and_runs_due_jobs_until_stopped(db, monkeypatch):
    monkeypatch.setattr(periodic, "JOBS", {})
    ran = []
    periodic.every(seconds=3600, name="count")(lambda: ran.append(1))
    housekeeper = Housekeeper("worker-2")
    # One turn of its loop, in this thread: the pause between turns stops it. In its own
    # thread it closes stale connections; here that would close the test's transaction.
    monkeypatch.setattr(housekeeper.stopping, "wait", lambda seconds: housekeeper.stop())
    monkeypatch.setattr("jobs.worker.close_old_connections", lambda: None)

    housekeeper.run()

    assert ran == [1]
    assert WorkerHeartbeat.objects.get(pk="worker-2").started_at == housekeeper.started_at


def test_old_finished_deliveries_are_pruned_and_failed_ones_kept(db):
    old = timezone.now() - datetime.timedelta(days=91)
    recent = timezone.now() - datetime.timedelta(days=1)
    for key, status, finished in (
        ("old-sent", "sent", old),
        ("old-skipped", "skipped", old),
        ("old-failed", "failed", old),
        ("recent-sent", "sent", recent),
        ("pending", "pending", None),
    ):
        Delivery.objects.create(
            handler="booking.notice", key=key, description=key, status=status, finished_at=finished
        )

    assert prune_old_records() == 2

    assert sorted(Delivery.objects.values_list("key", flat=True)) == [
        "old-failed",
        "pending",
        "recent-sent",
    ]
