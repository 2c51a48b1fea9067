"""``manage.py load_demo_content``: the embedded setup's demo site, safe to run again."""

import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand

from demo.loader import load_demo_content

# Every page publish logs a line per background task and per action; at the default
# verbosity that buries the summary, so these loggers are held at WARNING meanwhile.
CHATTY_LOGGERS = ("django_tasks", "wagtail")


@contextmanager
def quiet_loggers(names, level=logging.WARNING):
    """Raise the given loggers to ``level`` for the duration of the block."""
    loggers = [logging.getLogger(name) for name in names]
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, old_level in zip(loggers, previous, strict=True):
            logger.setLevel(old_level)


class Command(BaseCommand):
    help = (
        "Создаёт демо-контент «Открой#Моспром»: справочники, страницы, изображения, итоги. "
        "Повторный запуск ничего не меняет: существующие объекты не трогаются."
    )

    def handle(self, *args, **options):
        if options["verbosity"] > 1:
            report = load_demo_content()
        else:
            with quiet_loggers(CHATTY_LOGGERS):
                report = load_demo_content()
        if options["verbosity"] == 0:
            return
        first, *rest = report.summary_lines()
        self.stdout.write(self.style.SUCCESS(first))
        for line in rest:
            self.stdout.write(line)
