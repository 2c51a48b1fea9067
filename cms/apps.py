from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Открой#Моспром"

    def ready(self):
        # Publishing, deleting or editing content sends content_changed after commit,
        # which bumps the content version (GraphQL's response cache) and calls webhooks.
        from cms import content_changes

        content_changes.connect()
