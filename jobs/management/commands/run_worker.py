"""``manage.py run_worker``: django-tasks-db's ``db_worker``, plus what production needs.

Besides running queued tasks it beats a heartbeat (``/readyz`` checks it), runs the
periodic jobs (``jobs.periodic``: deliveries that lost their task, expired holds,
reminders…) and survives a database restart instead of exiting. Takes db_worker's options.
"""

from django.db import DatabaseError
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands import db_worker

from jobs.worker import Housekeeper, forget, run_resiliently


class Command(db_worker.Command):
    help = "Runs background tasks (e-mails, webhooks) and periodic jobs; stop with SIGTERM."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        autodiscover_modules("tasks")  # periodic jobs and delivery handlers
        worker = db_worker.Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        housekeeper = Housekeeper(worker_id)
        housekeeper.start()
        worker.configure_signals()
        try:
            run_resiliently(worker.run)
        finally:
            housekeeper.stop()
            try:
                forget(worker_id)
            except DatabaseError:  # stopping during a database outage: the beat just ages
                pass
