from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate, post_save


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Страницы"

    def ready(self):
        from pages.models import EnterpriseIndexPage

        post_migrate.connect(set_up_programme_groups, dispatch_uid="pages.programme_groups")
        post_save.connect(
            put_new_section_under_moderation,
            sender=EnterpriseIndexPage,
            dispatch_uid="pages.enterprise_workflow",
        )


def set_up_programme_groups(sender, using="default", **kwargs):
    """After ``migrate`` (and test flushes): the staff groups and the enterprise workflow.

    Waits for the last app's signal: Django creates each app's permissions in its own
    ``post_migrate``, and the groups need those of every app.
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:  # Django signals only apps that have models
        return
    from pages.accounts import assign_enterprise_workflow, ensure_programme_groups
    from pages.models import EnterpriseIndexPage

    ensure_programme_groups()
    for section in EnterpriseIndexPage.objects.using(using):
        assign_enterprise_workflow(section)


def put_new_section_under_moderation(sender, instance, created, raw=False, **kwargs):
    """A new enterprise section is moderated from its first day."""
    if created and not raw:
        from pages.accounts import assign_enterprise_workflow

        assign_enterprise_workflow(instance)
