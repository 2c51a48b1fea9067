"""The one task of the outbox: send a delivery (``jobs.deliveries``)."""

from django_tasks import task

from jobs import deliveries, periodic


@task()
def run_delivery(delivery_id: int) -> str:
    """Send delivery ``delivery_id`` if it is due; running twice sends once."""
    return deliveries.attempt(delivery_id)


@periodic.every(seconds=15)
def send_due_deliveries() -> int:
    """Send what is due and lost its task (a queue outage, a worker killed mid-send)."""
    return deliveries.send_due()
