"""The programme's staff groups get the game's permissions (after every ``migrate``)."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from pages.accounts import EDITORS, MODERATORS

AUTHORED = ["quiz", "task", "prize", "sessiongate"]

PERMISSIONS = {
    EDITORS: [
        *[
            f"{action}_{model}"
            for model in AUTHORED
            for action in ("add", "change", "delete", "view")
        ],
        "publish_quiz",
        "view_prizeclaim",
        "change_prizeclaim",  # mark handed out, cancel
    ],
    MODERATORS: [*[f"view_{model}" for model in AUTHORED], "view_prizeclaim"],
}


def grant_staff_permissions(sender=None, **kwargs) -> None:
    """Add the game's permissions to «Редакторы» and «Модераторы»; never takes one away.

    Runs on the last app's ``post_migrate``, as the groups' own set-up does (pages'
    receiver, connected before this one): by then every permission and group exists.
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not None and sender is not with_models[-1]:
        return
    for name, codenames in PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="quests", codename__in=codenames)
        )
