from django.apps import AppConfig


class CmsConfig(AppConfig):
    """The project's configuration: settings, URLs, health checks."""

    name = "cms"
    verbose_name = "Открой#Моспром"
