"""Who may do what in the admin: the programme's groups, kept in step by the project itself.

* «Редакторы» (programme editors) write and publish everything, run every session and
  create enterprise accounts;
* «Модераторы» review and publish, and approve or reject enterprises' changes;
* one group per enterprise (below).

Enterprise pages go through the workflow «Модерация предприятий», assigned to every
enterprise section: an enterprise's submitted changes wait for an editor or moderator.

A group may change exactly its enterprise's page (never publish: Wagtail's moderation
workflow sends its edits to the programme's moderators), upload and choose images in
its own collection, and run its own sessions in the booking admin, which scopes hosts
by this same page permission (``booking.permissions``).
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from pages.models import EnterpriseIndexPage, EnterprisePage

EDITORS = "Редакторы"
MODERATORS = "Модераторы"
# Wagtail's first migration creates these two; we take them over rather than add twins.
WAGTAIL_DEFAULT_GROUP = {EDITORS: "Editors", MODERATORS: "Moderators"}
ENTERPRISE_WORKFLOW = "Модерация предприятий"
ENTERPRISE_TASK = "Проверка редакцией"
CATALOGUE_MODELS = ["industry", "district", "eventformat", "season", "award"]
# Every enterprise group's name starts so (then the page id, which survives renames).
ENTERPRISE_GROUP_PREFIX = "Предприятие #"

# Page permissions on the whole tree, as Wagtail names them.
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    MODERATORS: ["change_page", "publish_page", "lock_page", "unlock_page"],
}
STAFF_MODEL_PERMISSIONS = {
    EDITORS: [
        ("wagtailadmin", "access_admin"),
        *[
            ("catalogue", f"{action}_{model}")
            for model in CATALOGUE_MODELS
            for action in ("add", "change", "delete", "view")
        ],
        ("catalogue", "publish_award"),
        ("pages", "change_programmesettings"),
        ("pages", "manage_enterprise_accounts"),
        ("booking", "manage_all_sessions"),
        ("booking", "add_toursession"),
        ("booking", "change_toursession"),
        ("booking", "view_toursession"),
        ("booking", "view_registration"),
        ("booking", "change_registration"),
        # «Отправки»: letters that failed for good, and sending them again.
        ("jobs", "view_delivery"),
        ("jobs", "change_delivery"),
    ],
    MODERATORS: [
        ("wagtailadmin", "access_admin"),
        *[("catalogue", f"view_{model}") for model in CATALOGUE_MODELS],
        ("jobs", "view_delivery"),
    ],
}
STAFF_COLLECTION_PERMISSIONS = {
    EDITORS: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "delete_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "delete_document"),
        ("wagtaildocs", "choose_document"),
    ],
    MODERATORS: [("wagtailimages", "choose_image"), ("wagtaildocs", "choose_document")],
}

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
    return f"{ENTERPRISE_GROUP_PREFIX}{enterprise.pk}: "


def is_enterprise_account(user) -> bool:
    """A login of an enterprise's staff only: in an enterprise group, not programme staff."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    cached = getattr(user, "_is_enterprise_account", None)
    if cached is None:
        names = list(user.groups.values_list("name", flat=True))
        cached = any(name.startswith(ENTERPRISE_GROUP_PREFIX) for name in names) and not (
            {EDITORS, MODERATORS} & set(names)
        )
        user._is_enterprise_account = cached
    return cached


def enterprises_of(user):
    """The enterprise pages granted to the user's own enterprise groups (not via ancestors)."""
    return (
        EnterprisePage.objects.filter(
            group_permissions__group__in=user.groups.all(),
            group_permissions__permission__codename="change_page",
        )
        .distinct()
        .order_by("title")
    )


def _named(enterprise: EnterprisePage) -> str:
    return (group_prefix(enterprise) + enterprise.title)[:150]


def _permissions(pairs) -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in pairs
    ]


def _staff_group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        group = Group.objects.filter(name=WAGTAIL_DEFAULT_GROUP[name]).first()
        if group is None:
            return Group.objects.create(name=name)
        group.name = name
        group.save(update_fields=["name"])
    return group


@transaction.atomic
def ensure_programme_groups() -> tuple[Group, Group]:
    """Create or top up «Редакторы» and «Модераторы»; never takes a permission away.

    Runs after every ``migrate`` (see ``PagesConfig``), so an operator's extra grants
    survive and a fresh database is ready at once.
    """
    groups = {name: _staff_group(name) for name in (EDITORS, MODERATORS)}
    tree_root = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for name, group in groups.items():
        group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS[name]))
        if tree_root is not None:
            for codename in PAGE_PERMISSIONS[name]:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=tree_root,
                    permission=_permissions([("wagtailcore", codename)])[0],
                )
        if root_collection is not None:
            for permission in _permissions(STAFF_COLLECTION_PERMISSIONS[name]):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
    # Wagtail's default workflow on the whole tree, named in Russian like the rest.
    Workflow.objects.filter(name="Moderators approval").update(name="Проверка модераторами")
    Task.objects.filter(name="Moderators approval").update(name="Проверка модераторами")
    return groups[EDITORS], groups[MODERATORS]


@transaction.atomic
def enterprise_workflow() -> Workflow:
    """The workflow enterprises' changes go through: one approval by the programme staff."""
    workflow, _ = Workflow.objects.get_or_create(name=ENTERPRISE_WORKFLOW)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        task = GroupApprovalTask.objects.filter(name=ENTERPRISE_TASK).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=ENTERPRISE_TASK)
            task.groups.set(ensure_programme_groups())
        # Directly: the cluster's related manager would keep the row in memory only.
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def assign_enterprise_workflow(section: EnterpriseIndexPage) -> None:
    """Put an enterprise section under «Модерация предприятий», unless it has a workflow.

    An operator who assigned another workflow to the section keeps it.
    """
    if not WorkflowPage.objects.filter(page=section).exists():
        WorkflowPage.objects.create(page=section, workflow=enterprise_workflow())


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
