"""Enterprise accounts: one group per enterprise, kept in step by the project itself.

A group may change exactly its enterprise's page (never publish: Wagtail's moderation
workflow sends its edits to the programme's moderators), upload and choose images in
its own collection, and run its own sessions in the booking admin, which scopes hosts
by this same page permission (``booking.permissions``).
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from pages.models import EnterprisePage

# (app label, codename) granted to every enterprise group.
MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("booking", "add_toursession"),
    ("booking", "change_toursession"),
    ("booking", "view_toursession"),
    ("booking", "view_registration"),
    ("booking", "change_registration"),  # checking visitors in
]
IMAGE_PERMISSIONS = ["add_image", "change_image", "choose_image"]


def group_prefix(enterprise: EnterprisePage) -> str:
    """The stable start of the group's name: the page id survives renames."""
    return f"Предприятие #{enterprise.pk}: "


def _named(enterprise: EnterprisePage) -> str:
    return (group_prefix(enterprise) + enterprise.title)[:150]


def _permissions(pairs) -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in pairs
    ]


@transaction.atomic
def ensure_enterprise_group(enterprise: EnterprisePage) -> Group:
    """Create or bring up to date the enterprise's group, collection and permissions."""
    group = Group.objects.filter(name__startswith=group_prefix(enterprise)).first()
    if group is None:
        group = Group.objects.create(name=_named(enterprise))
    elif group.name != _named(enterprise):
        group.name = _named(enterprise)
        group.save(update_fields=["name"])
    group.permissions.add(*_permissions(MODEL_PERMISSIONS))

    change_page = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="change_page"
    )
    GroupPagePermission.objects.get_or_create(group=group, page=enterprise, permission=change_page)

    collection = _enterprise_collection(enterprise)
    for codename in IMAGE_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(
                content_type__app_label="wagtailimages", codename=codename
            ),
        )
    return group


def _enterprise_collection(enterprise: EnterprisePage) -> Collection:
    root = Collection.get_first_root_node()
    prefix = group_prefix(enterprise)
    collection = root.get_children().filter(name__startswith=prefix).first()
    if collection is None:
        return root.add_child(name=_named(enterprise))
    if collection.name != _named(enterprise):
        collection.name = _named(enterprise)
        collection.save(update_fields=["name"])
    return collection


def create_enterprise_account(
    enterprise: EnterprisePage, email: str, full_name: str = ""
) -> tuple[object, str | None]:
    """An admin login for an enterprise's staff member, in the enterprise's group.

    Returns the user and, when it was just created, its initial password (shown once).
    An existing user keeps its password and simply joins the group.
    """
    email = email.strip().lower()
    User = get_user_model()
    group = ensure_enterprise_group(enterprise)
    user = User.objects.filter(username=email).first()
    password = None
    if user is None:
        first_name, _, last_name = full_name.strip().partition(" ")
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=email,
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    user.groups.add(group)
    return user, password
