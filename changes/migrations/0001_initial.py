"""ContentVersion, taken over from the ``cms`` app: its table (cms_contentversion) exists."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("cms", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("counter", models.PositiveBigIntegerField(default=0, verbose_name="версия")),
                        (
                            "changed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="изменено"),
                        ),
                    ],
                    options={
                        "verbose_name": "версия контента",
                        "verbose_name_plural": "версия контента",
                        "db_table": "cms_contentversion",
                    },
                )
            ],
            database_operations=[],
        )
    ]
