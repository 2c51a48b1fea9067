from django.core.management.base import BaseCommand

from pages.accounts import (
    assign_enterprise_workflow,
    ensure_enterprise_group,
    ensure_programme_groups,
)
from pages.models import EnterpriseIndexPage, EnterprisePage


class Command(BaseCommand):
    help = (
        "Создаёт и дополняет группы «Редакторы», «Модераторы» и группы предприятий "
        "(по одной на предприятие), ставит разделы предприятий на модерацию. Повторять можно."
    )

    def handle(self, *args, **options):
        for group in ensure_programme_groups():
            self.stdout.write(group.name)
        for section in EnterpriseIndexPage.objects.all():
            assign_enterprise_workflow(section)
        for page in EnterprisePage.objects.all():
            group = ensure_enterprise_group(page)
            self.stdout.write(group.name)
