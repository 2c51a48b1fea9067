"""A GIN index on the expression Wagtail's PostgreSQL search matches: ``title || body``.

Wagtail's database backend filters ``(title || body) @@ query``; its own indexes are on
``title`` and ``body`` apart, which that expression cannot use, so every search read
the whole index table. PostgreSQL only: SQLite searches its FTS5 table.
"""

from django.db import migrations

INDEX = "wagtailsearch_indexentry_vector_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0004_page_preview"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
