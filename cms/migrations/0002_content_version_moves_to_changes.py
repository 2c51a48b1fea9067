"""ContentVersion now belongs to the ``changes`` app; its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("changes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContentVersion")],
            database_operations=[],
        )
    ]
