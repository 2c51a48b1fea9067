"""The booking admin: sessions, series of dates, registrations, check-in, exports.

Every view looks objects up through ``booking.permissions`` (``sessions_visible_to``,
``registrations_visible_to``): an object outside the user's enterprises is a 404,
never a form, an export or an action. Model permissions (``add``, ``change``,
``view``…) are checked on top by Wagtail's ``PermissionCheckedMixin`` against the
policies registered in ``booking/wagtail_hooks.py``. Booking rules stay in
``booking.services``: these views only call them and show their messages.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import (
    BaseColumn,
    BooleanColumn,
    Column,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from booking.forms import CancelSessionForm, SessionSeriesForm, TourSessionAdminForm
from booking.models import SEATED_STATUSES, Registration, TourSession
from booking.permissions import (
    hosted_enterprises,
    registrations_visible_to,
    sessions_visible_to,
    with_has_registrations,
)
from booking.services import cancel_session, mark_attendance
from catalogue.models import EventFormat, Season

# The programme runs in Moscow: times are shown in Moscow time whatever an editor's
# admin profile says, so that a list read over the phone matches the e-mails.
MOSCOW = ZoneInfo("Europe/Moscow")
CANCEL_SESSION_ACTION = "booking.cancel_session"

# URL namespaces of the viewsets below (``reverse(f"{SESSIONS}:edit", …)``).
SESSIONS = "booking_sessions"
REGISTRATIONS = "booking_registrations"
SERIES = "booking_series"


def moscow_time(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, MOSCOW).strftime("%d.%m.%Y %H:%M")


def fill_rate(session: TourSession) -> str:
    """«18 / 25 · 72 %»; uses the ``seats_taken_count`` annotation when the row has it."""
    taken = session.seats_taken()
    percent = round(100 * taken / session.capacity) if session.capacity else 0
    return f"{taken} / {session.capacity} · {percent} %"


def sessions_with_counts(user):
    """Visible sessions with everything a listing row shows, counts included, in one query."""
    return with_has_registrations(
        sessions_visible_to(user).with_seats_taken().select_related("enterprise", "event_format")
    )


def cyrillic_icontains(fields: list[str], query: str) -> Q:
    """Case-insensitive ``contains`` that also works for Cyrillic on SQLite.

    SQLite's LIKE folds only ASCII case, so «экскурсия» would not find «Экскурсия»;
    trying the usual spellings of the query covers what editors type.
    """
    condition = Q()
    for variant in {query, query.lower(), query.capitalize(), query.upper()}:
        for field in fields:
            condition |= Q(**{f"{field}__icontains": variant})
    return condition


# --- sessions ----------------------------------------------------------------------


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
    def get_queryset(self):
        return sessions_visible_to(self.request.user)

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


class ReadableInspectMixin:
    """Inspect values as people read them: Moscow time, «да»/«нет», a dash for nothing."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime):
            return f"{moscow_time(value)} (МСК)"
        if isinstance(value, bool):
            return "да" if value else "нет"
        if value is None or value == "":
            return "—"
        return value


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


# --- a series of sessions ------------------------------------------------------------


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
        dates = ", ".join(
            timezone.localtime(s.starts_at, MOSCOW).strftime("%d.%m") for s in sessions
        )
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


# --- registrations -------------------------------------------------------------------


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
            day = timezone.localtime(self.session.starts_at, MOSCOW).strftime("%Y-%m-%d")
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


class BookingViewSetGroup(ViewSetGroup):
    menu_label = "Экскурсии"
    menu_icon = "date"
    menu_order = 250
    items = (TourSessionViewSet, RegistrationViewSet, SessionSeriesViewSet)


# --- dashboard -----------------------------------------------------------------------


class UpcomingSessionsPanel(Component):
    """«Ближайшие сеансы» on the dashboard: the next sessions the user may see, filled how."""

    name = "upcoming_sessions"
    template_name = "booking/admin/upcoming_sessions_panel.html"
    order = 90
    limit = 10

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        sessions = (
            sessions_visible_to(user)
            .upcoming()
            .with_seats_taken()
            .select_related("enterprise", "event_format")
            .order_by("starts_at", "pk")[: self.limit]
        )
        can_view_registrations = policy_registry.get_by_type(Registration).user_has_permission(
            user, "view"
        )
        can_edit = policy_registry.get_by_type(TourSession).user_has_permission(user, "change")
        rows = []
        for session in sessions:
            if can_view_registrations:
                url = reverse(f"{REGISTRATIONS}:session", args=[session.pk])
            else:
                url = reverse(f"{SESSIONS}:{'edit' if can_edit else 'inspect'}", args=[session.pk])
            rows.append(
                {
                    "session": session,
                    "url": url,
                    "starts_at": moscow_time(session.starts_at),
                    "fill_rate": fill_rate(session),
                }
            )
        return {
            "rows": rows,
            "sessions_url": reverse(f"{SESSIONS}:index"),
        }
