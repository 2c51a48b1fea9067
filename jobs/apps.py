from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work shared by the domains: the outbox, retries, the worker."""

    name = "jobs"
    verbose_name = "Фоновые задачи"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every app's ``tasks`` module declares its delivery handlers and periodic jobs.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
