from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from pages.accounts import create_enterprise_account
from pages.models import EnterprisePage


class Command(BaseCommand):
    help = (
        "Создаёт учётную запись сотрудника предприятия: он правит только страницу своего "
        "предприятия (правки уходят на модерацию) и ведёт только его сеансы."
    )

    def add_arguments(self, parser):
        parser.add_argument("enterprise", help="слаг страницы предприятия")
        parser.add_argument("email", help="e-mail сотрудника, он же логин")
        parser.add_argument("--name", default="", help="имя и фамилия")

    def handle(self, *args, enterprise, email, name, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Неверный e-mail: {email}") from error
        page = EnterprisePage.objects.filter(slug=enterprise).first()
        if page is None:
            raise CommandError(f"Нет предприятия со слагом «{enterprise}».")
        user, password = create_enterprise_account(page, email, name)
        self.stdout.write(f"Предприятие: {page.title}")
        self.stdout.write(f"Логин: {user.username}")
        if password:
            self.stdout.write(f"Пароль: {password} (покажите его сотруднику один раз)")
        else:
            self.stdout.write("Пользователь уже был; пароль не менялся, он добавлен в группу.")
