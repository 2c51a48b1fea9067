"""What every booking admin view shares: URL names, Moscow time, fill rates, search."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q

from booking.clock import in_moscow
from booking.models import TourSession
from booking.permissions import sessions_visible_to, with_has_registrations

# URL namespaces of the viewsets (``reverse(f"{SESSIONS}:edit", …)``).
SESSIONS = "booking_sessions"
REGISTRATIONS = "booking_registrations"
SERIES = "booking_series"


def moscow_time(value: datetime.datetime | None) -> str:
    """«02.12.2026 11:00» in Moscow time; empty for no value."""
    if value is None:
        return ""
    return in_moscow(value).strftime("%d.%m.%Y %H:%M")


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


def show_service_errors(form, error: ValidationError) -> None:
    """Put a refusal from ``booking.services`` on the form: on the field it names when
    the form has that field, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


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
