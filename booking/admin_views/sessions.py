"""«Сеансы»: the listing with fill rates, create/edit, inspect, history, cancel."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from booking.admin_views.common import (
    REGISTRATIONS,
    SERIES,
    SESSIONS,
    ReadableInspectMixin,
    cyrillic_icontains,
    fill_rate,
    moscow_time,
    sessions_with_counts,
    show_service_errors,
)
from booking.forms import CancelSessionForm, TourSessionAdminForm
from booking.models import Registration, TourSession
from booking.permissions import hosted_enterprises, sessions_visible_to, with_has_registrations
from booking.services import NOT_EDITABLE, cancel_session, edit_session
from catalogue.models import EventFormat, Season

CANCEL_SESSION_ACTION = "booking.cancel_session"


class TourSessionFilterSet(WagtailFilterSet):
    """Listing filters; the enterprise choices are only the user's own."""

    UPCOMING, PAST, ALL = "upcoming", "past", "all"

    enterprise = django_filters.ModelChoiceFilter(
        label="Предприятие",
        queryset=lambda request: hosted_enterprises(request.user).order_by("title"),
    )
    event_format = django_filters.ModelChoiceFilter(
        label="Формат", queryset=EventFormat.objects.all()
    )
    season = django_filters.ModelChoiceFilter(
        label="Сезон", queryset=Season.objects.order_by("-start_date")
    )
    status = django_filters.ChoiceFilter(
        label="Статус",
        choices=TourSession.Status.choices,
        widget=forms.RadioSelect,
        empty_label="Все",
    )
    when = django_filters.ChoiceFilter(
        label="Когда",
        choices=[(UPCOMING, "Предстоящие"), (PAST, "Прошедшие"), (ALL, "Все")],
        method="filter_when",
        widget=forms.RadioSelect,
        empty_label=None,
        initial=UPCOMING,
    )

    class Meta:
        model = TourSession
        fields = ["enterprise", "event_format", "season", "status"]

    def __init__(self, data=None, *args, **kwargs):
        # Editors come for what is coming up: upcoming unless they ask otherwise.
        if data is not None and not data.get("when"):
            data = data.copy()
            data["when"] = self.UPCOMING
        super().__init__(data, *args, **kwargs)

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == self.UPCOMING:
            return queryset.filter(starts_at__gt=now)
        if value == self.PAST:
            return queryset.filter(starts_at__lte=now)
        return queryset


class TourSessionIndexView(generic.IndexView):
    """Sessions of the user's enterprises with their fill rates (counted in the same query)."""

    def get_base_queryset(self):
        return sessions_with_counts(self.request.user)

    def search_queryset(self, queryset):
        # The ORM, not the search index: the index cannot filter by enterprise.
        if not self.is_searching:
            return queryset
        return queryset.filter(
            cyrillic_icontains(["title", "enterprise__title"], self.search_query)
        )

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        now = timezone.now()
        return [
            title_column_class(
                "display_title",
                label="Сеанс",
                get_url=lambda s: self.get_edit_url(s) or self.get_inspect_url(s),
            ),
            Column("enterprise", label="Предприятие", sort_key="enterprise__title"),
            Column("event_format", label="Формат"),
            Column(
                "starts_at",
                label="Начало (МСК)",
                accessor=lambda s: moscow_time(s.starts_at),
                sort_key="starts_at",
            ),
            Column("capacity", label="Мест", sort_key="capacity"),
            Column("seats_taken_count", label="Занято", sort_key="seats_taken_count"),
            Column("fill_rate", label="Заполнение", accessor=fill_rate),
            StatusTagColumn(
                "status",
                label="Статус",
                accessor="get_status_display",
                primary=lambda s: s.status == TourSession.Status.SCHEDULED,
                sort_key="status",
            ),
            BooleanColumn(
                "registration_open",
                label="Запись открыта",
                accessor=lambda s: s.is_registration_open(now),
            ),
        ]

    def get_delete_url(self, instance):
        # A session with registrations is cancelled, never deleted (see the policy).
        if getattr(instance, "has_registrations", False):
            return None
        return super().get_delete_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for label, url, icon, priority in session_actions(self, instance):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    "Создать серию сеансов",
                    url=reverse(f"{SERIES}:create"),
                    icon_name="date",
                )
            )
        return buttons


def session_actions(view, session: TourSession) -> list[tuple[str, str, str, int]]:
    """(label, url, icon, priority) of «Заявки» and «Отменить сеанс» for a session."""
    actions = []
    if policy_registry.get_by_type(Registration).user_has_permission(view.request.user, "view"):
        url = reverse(f"{REGISTRATIONS}:session", args=[session.pk])
        actions.append(("Заявки", url, "group", 5))
    if view.user_has_permission("change") and session.status == TourSession.Status.SCHEDULED:
        url = reverse(f"{SESSIONS}:cancel", args=[quote(session.pk)])
        actions.append(("Отменить сеанс", url, "cross", 40))
    return actions


class TourSessionEditView(generic.EditView):
    """The session form, saved by ``services.edit_session`` under the session lock.

    Wagtail's own save would write capacity with no lock and never hand new seats to
    the waitlist; here the whole edit is one transaction, and a capacity the services
    refuse (below the seats held, say) leaves the form with the error and saves nothing.
    """

    def get_queryset(self):
        return sessions_visible_to(self.request.user)

    def save_instance(self):
        instance = self.form.save(commit=False)  # the form's values, nothing written yet
        model_fields = {field.name for field in TourSession._meta.concrete_fields}
        details = {
            name: getattr(instance, name)
            for name in self.form.fields
            if name in model_fields and name not in NOT_EDITABLE
        }
        session = edit_session(instance.pk, instance.capacity, details)
        self.form.save_m2m()
        log(
            session, "wagtail.edit", user=self.request.user, content_changed=self.form.has_changed()
        )
        return session

    def form_valid(self, form):
        try:
            # Wagtail's form_valid saves in transaction.atomic(): a refusal rolls it back.
            return super().form_valid(form)
        except ValidationError as error:
            show_service_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for label, url, icon, priority in session_actions(self, self.object):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class TourSessionDeleteView(generic.DeleteView):
    def get_queryset(self):
        return with_has_registrations(sessions_visible_to(self.request.user))

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission("delete"):
            raise PermissionDenied
        if not self.user_has_permission_for_instance("delete", self.object):
            messages.error(
                request,
                "На сеанс уже записывались, поэтому удалить его нельзя — его можно отменить.",
            )
            return redirect(self.edit_url_name, quote(self.object.pk))
        return super().dispatch(request, *args, **kwargs)


class TourSessionInspectView(ReadableInspectMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(sessions_visible_to(self.request.user), pk=unquote(str(self.pk)))


class TourSessionHistoryView(history.HistoryView):
    def get_base_object_queryset(self):
        return sessions_visible_to(self.request.user)


class TourSessionUsageView(usage.UsageView):
    def get_base_object_queryset(self):
        return sessions_visible_to(self.request.user)


class CancelSessionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Asks for the reason, then ``services.cancel_session`` cancels and tells everyone."""

    model = TourSession
    permission_required = "change"
    form_class = CancelSessionForm
    template_name = "booking/admin/cancel_session.html"
    page_title = "Отменить сеанс"
    header_icon = "cross"
    index_url_name = None
    edit_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            sessions_visible_to(request.user).select_related("enterprise", "event_format"),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self):
        return str(self.object)

    def get(self, request, *args, **kwargs):
        if self.object.status == TourSession.Status.CANCELLED:
            messages.warning(request, f"Сеанс «{self.object}» уже отменён.")
            return redirect(self.index_url_name)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            fill_rate=fill_rate(self.object),
            action_url=self.request.path,
            index_url=reverse(self.index_url_name),
        )
        return context

    def form_valid(self, form):
        try:
            cancel_session(self.object.pk, form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.index_url_name)
        log(self.object, CANCEL_SESSION_ACTION, user=self.request.user)
        messages.success(
            self.request,
            f"Сеанс «{self.object}» отменён. Все записавшиеся получат письмо с причиной.",
        )
        return redirect(self.index_url_name)


class TourSessionViewSet(ModelViewSet):
    """«Сеансы»: listing with fill rates, create/edit from the model's panels, cancel."""

    model = TourSession
    name = SESSIONS
    url_prefix = "booking/sessions"
    icon = "date"
    menu_label = "Сеансы"
    index_view_class = TourSessionIndexView
    edit_view_class = TourSessionEditView
    delete_view_class = TourSessionDeleteView
    inspect_view_class = TourSessionInspectView
    history_view_class = TourSessionHistoryView
    usage_view_class = TourSessionUsageView
    inspect_view_enabled = True
    copy_view_enabled = False  # «Создать серию сеансов» is the way to repeat a session
    filterset_class = TourSessionFilterSet
    ordering = ["starts_at", "pk"]
    list_per_page = 50
    edit_handler = ObjectList(TourSession.panels, base_form_class=TourSessionAdminForm)
    inspect_view_fields = [
        "enterprise",
        "event_format",
        "season",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "capacity",
        "max_party_size",
        "meeting_point",
        "stream_url",
        "min_age",
        "id_document_required",
        "booking_closes_at",
        "status",
        "cancellation_reason",
        "cancelled_at",
    ]

    @property
    def cancel_view(self):
        return self.construct_view(CancelSessionView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", self.cancel_view, name="cancel"),
        ]
