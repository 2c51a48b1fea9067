"""The outbox's periodic upkeep (its task, ``run_delivery``, is in ``jobs.deliveries``)."""

import datetime

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from jobs import deliveries, periodic
from jobs.models import Delivery


@periodic.every(seconds=15)
def send_due_deliveries() -> int:
    """Send what is due and lost its task (a queue outage, a worker killed mid-send)."""
    return deliveries.send_due()


# Sent and skipped deliveries are kept this long as a record, then removed; failed ones
# stay until an editor has seen them.
KEEP_DELIVERIES_DAYS = 90
KEEP_TASK_RESULTS_DAYS = 7


@periodic.every(seconds=6 * 3600)
def prune_old_records() -> int:
    """Remove old finished deliveries and the task queue's finished results."""
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_DELIVERIES_DAYS)
    removed, _ = Delivery.objects.filter(
        status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED], finished_at__lt=cutoff
    ).delete()
    if isinstance(deliveries.run_delivery.get_backend(), DatabaseBackend):
        call_command(
            "prune_db_task_results",
            min_age_days=KEEP_TASK_RESULTS_DAYS,
            failed_min_age_days=KEEP_DELIVERIES_DAYS,
            verbosity=0,
        )
    return removed
