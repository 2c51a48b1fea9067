"""«Заявки»: read-only listings and exports of registrations, and check-in."""

import re

import django_filters
from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from booking.admin_views.common import (
    REGISTRATIONS,
    SESSIONS,
    ReadableInspectMixin,
    cyrillic_icontains,
    fill_rate,
    moscow_time,
    sessions_with_counts,
)
from booking.clock import in_moscow
from booking.models import SEATED_STATUSES, Registration, TourSession
from booking.permissions import registrations_visible_to, sessions_visible_to
from booking.services import mark_attendance


def registration_status_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label="Статус",
        choices=Registration.Status.choices,
        widget=forms.RadioSelect,
        empty_label="Все",
    )


class RegistrationFilterSet(WagtailFilterSet):
    status = registration_status_filter()
    session = django_filters.ModelChoiceFilter(
        label="Сеанс",
        queryset=lambda request: sessions_visible_to(request.user).select_related(
            "enterprise", "event_format"
        ),
    )

    class Meta:
        model = Registration
        fields = ["status", "session"]


class SessionRegistrationFilterSet(WagtailFilterSet):
    status = registration_status_filter()

    class Meta:
        model = Registration
        fields = ["status"]


class AttendanceColumn(BaseColumn):
    """«Пришли» / «Не пришли» as small POST forms (a GET link must never change anything)."""

    cell_template_name = "booking/admin/attendance_cell.html"

    def __init__(self, url_name: str, next_url: str, **kwargs):
        super().__init__("attendance", label="Посещение", **kwargs)
        self.url_name = url_name
        self.next_url = next_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context.update(
            # Offer the buttons where they make sense; services.mark_attendance decides.
            can_mark=instance.status in SEATED_STATUSES,
            url=reverse(self.url_name, args=[instance.pk]),
            next_url=self.next_url,
            csrf_token=get_token(parent_context["request"]),
        )
        return context


# Text a spreadsheet would run as a formula; visitors type names and e-mails themselves.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_PHONE = re.compile(r"\+\d{5,15}")


def spreadsheet_safe(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES) and not PLAIN_PHONE.fullmatch(value):
        return "'" + value
    return value


class RegistrationIndexView(generic.IndexView):
    """All visible registrations, or one session's (``session_pk`` in the URL), with export."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = None
        if "session_pk" in kwargs:
            self.session = get_object_or_404(
                sessions_with_counts(request.user), pk=kwargs["session_pk"]
            )

    def get_base_queryset(self):
        queryset = registrations_visible_to(self.request.user).select_related(
            "session", "session__enterprise", "session__event_format"
        )
        if self.session is not None:
            queryset = queryset.filter(session=self.session)
        return queryset

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(cyrillic_icontains(["name", "email", "phone"], self.search_query))

    def get_page_title(self):
        return "Заявки"

    def get_page_subtitle(self):
        if self.session is not None:
            return f"{self.session} · {fill_rate(self.session)}"
        return ""

    def get_index_url(self):
        if self.session is not None:
            return reverse(f"{REGISTRATIONS}:session", args=[self.session.pk])
        return super().get_index_url()

    def get_index_results_url(self):
        if self.session is not None:
            return reverse(f"{REGISTRATIONS}:session_results", args=[self.session.pk])
        return super().get_index_results_url()

    def get_filename(self):
        if self.session is not None:
            day = in_moscow(self.session.starts_at).strftime("%Y-%m-%d")
            return f"registrations-{day}-session-{self.session.pk}"
        return "registrations"

    @cached_property
    def can_mark_attendance(self):
        return self.user_has_permission("change")

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        columns = [
            title_column_class("name", label="Имя", get_url=self.get_inspect_url),
            Column("email", label="E-mail", sort_key="email"),
            Column("phone", label="Телефон"),
            Column("seats", label="Мест", sort_key="seats"),
            StatusTagColumn(
                "status",
                label="Статус",
                accessor="get_status_display",
                primary=lambda r: r.status in SEATED_STATUSES,
                sort_key="status",
            ),
            Column(
                "created_at",
                label="Создана (МСК)",
                accessor=lambda r: moscow_time(r.created_at),
                sort_key="created_at",
            ),
            Column(
                "confirmed_at",
                label="Подтверждена (МСК)",
                accessor=lambda r: moscow_time(r.confirmed_at),
                sort_key="confirmed_at",
            ),
        ]
        if self.session is None:
            columns.append(
                TitleColumn(
                    "session",
                    label="Сеанс",
                    get_url=lambda r: reverse(f"{REGISTRATIONS}:session", args=[r.session_id]),
                    sort_key="session__starts_at",
                )
            )
        if self.can_mark_attendance:
            columns.append(AttendanceColumn(f"{REGISTRATIONS}:attendance", self.index_url))
        return columns

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            value = spreadsheet_safe(value)
        return value

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.session is not None:
            session_policy = policy_registry.get_by_type(TourSession)
            view = (
                "edit"
                if session_policy.user_has_permission(self.request.user, "change")
                else "inspect"
            )
            url = reverse(f"{SESSIONS}:{view}", args=[self.session.pk])
            buttons.append(HeaderButton("Сеанс", url=url, icon_name="date"))
        return buttons


class RegistrationInspectView(ReadableInspectMixin, generic.InspectView):
    """A registration, read-only; consents without IP addresses (hosts do not need them)."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            registrations_visible_to(self.request.user).select_related("session"),
            pk=unquote(str(self.pk)),
        )

    def get_field_label(self, field_name, field):
        if field_name == "consents":
            return "Согласия"
        return super().get_field_label(field_name, field)

    def get_consents_display_value(self):
        return "; ".join(
            f"{consent.get_kind_display()} (версия {consent.text_version}, "
            f"{moscow_time(consent.granted_at)})"
            for consent in self.object.consents.all()
        )


class MarkAttendanceView(PermissionCheckedMixin, View):
    """POST ``attended=1|0``: ``services.mark_attendance`` marks ATTENDED or NO_SHOW."""

    model = Registration
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
        choice = request.POST.get("attended")
        if choice not in ("1", "0"):
            return HttpResponseBadRequest("Укажите, пришли ли посетители: attended=1 или 0.")
        try:
            registration = mark_attendance(registration.pk, attended=choice == "1")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{registration.name}: «{registration.get_status_display()}»."
            )
        next_url = get_valid_next_url_from_request(request)
        return redirect(
            next_url or reverse(f"{REGISTRATIONS}:session", args=[registration.session_id])
        )


class RegistrationViewSet(ModelViewSet):
    """«Заявки»: read-only listings and exports plus check-in; no add, edit or delete."""

    model = Registration
    name = REGISTRATIONS
    url_prefix = "booking/registrations"
    icon = "group"
    menu_label = "Заявки"
    # Registration titles are names: keep them out of "usage" listings elsewhere.
    add_to_reference_index = False
    index_view_class = RegistrationIndexView
    inspect_view_class = RegistrationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = RegistrationFilterSet
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    search_fields = ["name", "email", "phone"]
    list_export = ["name", "phone", "email", "seats", "get_status_display", "session"]
    export_headings = {
        "name": "Имя",
        "phone": "Телефон",
        "email": "E-mail",
        "seats": "Мест",
        "get_status_display": "Статус",
        "session": "Сеанс",
    }
    inspect_view_fields = [
        "session",
        "name",
        "email",
        "phone",
        "seats",
        "status",
        "created_at",
        "hold_expires_at",
        "confirmed_at",
        "promoted_at",
        "cancelled_at",
        "checked_in_at",
        "consents",
    ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        # No form for personal data: it comes only from the visitor.
        for name in ("add", "edit", "delete", "history", "usage", "copy"):
            view_kwargs[f"{name}_url_name"] = None
        return view_kwargs

    @property
    def session_index_view(self):
        return self.construct_view(self.index_view_class, **self.session_index_kwargs())

    @property
    def session_index_results_view(self):
        return self.construct_view(
            self.index_view_class, **self.session_index_kwargs(), results_only=True
        )

    def session_index_kwargs(self):
        return self.get_index_view_kwargs(
            index_url_name=self.get_url_name("session"),
            index_results_url_name=self.get_url_name("session_results"),
            filterset_class=SessionRegistrationFilterSet,
            default_ordering=["name", "pk"],
            list_export=[f for f in self.list_export if f != "session"],
        )

    @property
    def attendance_view(self):
        return self.construct_view(MarkAttendanceView)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("session/<int:session_pk>/", self.session_index_view, name="session"),
            path(
                "session/<int:session_pk>/results/",
                self.session_index_results_view,
                name="session_results",
            ),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("attendance/<int:pk>/", self.attendance_view, name="attendance"),
        ]

    def get_permissions_to_register(self):
        # Only what means something here: view (listings, exports) and change (check-in).
        return (
            super()
            .get_permissions_to_register()
            .filter(codename__in=["view_registration", "change_registration"])
        )
