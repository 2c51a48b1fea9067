"""The ``booking.manage_all_sessions`` permission: see and run every enterprise's sessions.

Created here rather than in ``TourSession.Meta.permissions`` so the permission exists
without touching the model; if ``Meta.permissions`` later declares the same codename,
Django's post-migrate step finds it already there and nothing changes.
"""

from django.db import migrations

CODENAME = "manage_all_sessions"
NAME = "Может видеть и вести сеансы всех предприятий"


def create_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    # Content types are normally created after migrations run; make sure this one exists.
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="booking", model="toursession"
    )
    Permission.objects.using(db).get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )


def delete_permission(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="booking", codename=CODENAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_permission, delete_permission)]
