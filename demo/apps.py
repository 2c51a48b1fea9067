from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site for `make run`: its content, pictures, sessions and admin user.

    It has no models; it is an app so that its management commands are found.
    """

    name = "demo"
    label = "demo"
    verbose_name = "Демо-контент"
