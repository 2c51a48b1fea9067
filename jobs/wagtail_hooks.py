from wagtail import hooks

from jobs.admin_views import DeliveryViewSet


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet()
