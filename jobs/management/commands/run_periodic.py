"""``manage.py run_periodic``: the worker's periodic jobs once, for cron."""

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from jobs import periodic


class Command(BaseCommand):
    help = (
        "Выполняет периодические задачи один раз (для cron, если обработчик задач "
        "run_worker не запущен): отправки, брони, напоминания."
    )

    def handle(self, *args, **options):
        autodiscover_modules("tasks")
        for name, result in periodic.run_all().items():
            self.stdout.write(f"{name}: {result}")
