"""``manage.py ensure_demo_admin``: an ``admin`` superuser for the embedded demo setup.

The password is random and kept in ``VAR_DIR/admin-password.txt`` (mode 0600), so the
login is printed on every run. An existing user's password is never changed.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "admin"
PASSWORD_FILE_NAME = "admin-password.txt"


def password_file() -> Path:
    """Where the demo admin's password is kept."""
    return Path(settings.VAR_DIR) / PASSWORD_FILE_NAME


def write_secret(path: Path, secret: str) -> None:
    """Write ``secret`` to ``path`` readable by the owner only, even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed


class Command(BaseCommand):
    help = (
        "Создаёт суперпользователя admin со случайным паролем (если его ещё нет) "
        "и печатает адрес входа, логин и пароль."
    )

    def handle(self, *args, **options):
        user_model = get_user_model()
        path = password_file()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(18)
            # One transaction: if the file cannot be written, no user with an unknown password.
            with transaction.atomic():
                user = user_model.objects.create_superuser(
                    username=USERNAME, email="admin@example.com", password=password
                )
                write_secret(path, password)
            self.stdout.write(self.style.SUCCESS(f"Создан суперпользователь {USERNAME}."))

        login_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        self.stdout.write(f"Вход:   {login_url}")
        self.stdout.write(f"Логин:  {USERNAME}")
        stored = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        # The file may be left over from an earlier database: show it only if it still works.
        if stored and user.check_password(stored):
            self.stdout.write(f"Пароль: {stored}")
            self.stdout.write(f"        (хранится в {path})")
        else:
            self.stdout.write(
                "Пароль: не изменён (пользователь уже был создан, сохранённого пароля нет). "
                f"Задать новый: manage.py changepassword {USERNAME}"
            )
