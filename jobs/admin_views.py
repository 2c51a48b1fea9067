"""«Отправки» in the Wagtail admin: what the outbox sent, is sending, and could not send.

Read-only: rows are written by the code that needs a message. An editor who can change
deliveries may send failed ones again once the cause (a mail server, a receiver) is fixed.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from jobs import deliveries
from jobs.models import Delivery


class DeliveryFilterSet(WagtailFilterSet):
    class Meta:
        model = Delivery
        fields = ["status", "handler"]


class RetryDeliveryView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks, then gives a failed delivery a new round of attempts."""

    model = Delivery
    permission_required = "change"
    template_name = "jobs/admin/retry_delivery.html"
    page_title = "Отправить снова"
    header_icon = "mail"
    index_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Delivery, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get(self, request, *args, **kwargs):
        if self.object.status != Delivery.Status.FAILED:
            messages.warning(request, f"«{self.object}»: отправка не в состоянии «не отправлено».")
            return redirect(self.index_url_name)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            action_url=self.request.path,
            index_url=reverse(self.index_url_name),
        )
        return context

    def post(self, request, pk):
        if deliveries.retry_failed([self.object.pk]):
            messages.success(request, f"«{self.object}»: отправим снова.")
        else:
            messages.warning(request, f"«{self.object}»: отправка не в состоянии «не отправлено».")
        return redirect(self.index_url_name)


class DeliveryInspectView(InspectView):
    """A delivery; a failed one offers to be sent again."""

    retry_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.status == Delivery.Status.FAILED and self.user_has_permission("change"):
            url = reverse(self.retry_url_name, args=[self.object.pk])
            buttons.append(Button("Отправить снова", url=url, icon_name="mail", priority=10))
        return buttons


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    name = "deliveries"
    url_prefix = "deliveries"
    icon = "mail"
    menu_label = "Отправки"
    add_to_settings_menu = True
    add_to_reference_index = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    filterset_class = DeliveryFilterSet
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    search_fields = ["description"]
    list_display = [
        "description",
        Column("status", label="Состояние", accessor="get_status_display"),
        Column("attempts", label="Попыток"),
        DateColumn("created_at", label="Создано"),
        DateColumn("next_attempt_at", label="Следующая попытка"),
        Column("last_error", label="Последняя ошибка"),
    ]
    inspect_view_fields = [
        "description",
        "handler",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "finished_at",
        "last_error",
    ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add", "edit", "delete", "history", "usage", "copy"):
            view_kwargs[f"{name}_url_name"] = None
        return view_kwargs

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    @property
    def retry_view(self):
        return RetryDeliveryView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("retry/<int:pk>/", self.retry_view, name="retry"),
        ]

    def get_permissions_to_register(self):
        # View: the list; change: sending failed ones again.
        return (
            super()
            .get_permissions_to_register()
            .filter(codename__in=["view_delivery", "change_delivery"])
        )
