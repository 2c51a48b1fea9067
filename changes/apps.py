from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """What clients read changed: the ``content_changed`` notice, the content version
    that GraphQL's cache keys on, and the webhooks that tell other processes."""

    name = "changes"
    verbose_name = "Изменения контента"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from changes import content, webhooks

        content.connect()
        # After the version bump (connected by content.connect), so the webhook tells
        # the version that includes the change.
        content.connect_receiver(webhooks.enqueue_delivery, "webhooks")
