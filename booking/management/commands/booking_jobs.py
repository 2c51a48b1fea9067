"""Scheduled booking work, safe to run as often as you like (cron: every few minutes)."""

from django.core.management.base import BaseCommand

from booking import services

JOBS = {
    "expire-holds": (services.expire_stale_holds, "просроченных броней снято"),
    "reminders": (services.send_reminders, "напоминаний отправлено"),
    "anonymise": (services.anonymise_old_registrations, "старых заявок обезличено"),
}


class Command(BaseCommand):
    help = (
        "Снимает неподтверждённые брони и продвигает лист ожидания, рассылает напоминания "
        "за день до сеанса, обезличивает старые заявки. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "jobs",
            nargs="*",
            choices=[*JOBS, []],
            help="Какие задачи выполнить (по умолчанию все): " + ", ".join(JOBS),
        )

    def handle(self, *args, jobs, **options):
        for name in jobs or JOBS:
            job, label = JOBS[name]
            self.stdout.write(f"{name}: {label}: {job()}")
