from django.core.management.base import BaseCommand

from pages.accounts import ensure_enterprise_group
from pages.models import EnterprisePage


class Command(BaseCommand):
    help = "Создаёт и обновляет группы предприятий (по одной на предприятие). Повторять можно."

    def handle(self, *args, **options):
        for page in EnterprisePage.objects.all():
            group = ensure_enterprise_group(page)
            self.stdout.write(group.name)
