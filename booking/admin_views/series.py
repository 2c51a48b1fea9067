"""«Создать серию сеансов»: one form, one session per listed date."""

from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from booking.admin_views.common import SERIES, SESSIONS
from booking.clock import in_moscow
from booking.forms import SessionSeriesForm
from booking.models import TourSession


class SessionSeriesView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Creates one session per listed date, all of them or none."""

    model = TourSession
    permission_required = "add"
    form_class = SessionSeriesForm
    template_name = "booking/admin/session_series.html"
    page_title = "Создать серию сеансов"
    header_icon = "date"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label="Создать сеансы",
            submit_button_active_label="Создаём…",
        )
        return context

    def form_valid(self, form):
        sessions = form.build_sessions()
        with transaction.atomic():
            for session in sessions:
                session.save()
                log(session, "wagtail.create", user=self.request.user)
        dates = ", ".join(in_moscow(s.starts_at).strftime("%d.%m") for s in sessions)
        messages.success(self.request, f"Создано сеансов: {len(sessions)} ({dates}).")
        return redirect(f"{SESSIONS}:index")

    def form_invalid(self, form):
        messages.error(self.request, "Серия не создана: исправьте ошибки в форме.")
        return super().form_invalid(form)


class SessionSeriesViewSet(ViewSet):
    """The series form as its own menu entry, shown to those who may add sessions."""

    name = SERIES
    url_prefix = "booking/series"
    icon = "calendar"
    menu_label = "Создать серию сеансов"

    @cached_property
    def menu_item_class(self):
        item_class = super().menu_item_class

        def is_shown(_self, request):
            policy = policy_registry.get_by_type(TourSession)
            return policy.user_has_permission(request.user, "add")

        return type("SessionSeriesMenuItem", (item_class,), {"is_shown": is_shown})

    def get_urlpatterns(self):
        return [path("", SessionSeriesView.as_view(), name="create")]
