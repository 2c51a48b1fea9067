"""Admin forms for sessions: the single-session form, a series of dates, cancellation.

Every form that names an enterprise offers only the enterprises the user hosts
(``booking.permissions.hosted_enterprises``), so a host cannot create or move a
session to someone else's enterprise, even with a hand-made POST.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminTimeInput

from booking.clock import in_moscow, moscow
from booking.models import Audience, TourSession
from booking.permissions import hosted_enterprises
from catalogue.models import Season
from pages.models import EnterprisePage

DATE_FORMAT = "%d.%m.%Y"
MAX_SERIES_DATES = 100
DATE_SEPARATORS = re.compile(r"[\s,;]+")


def enterprise_field() -> forms.ModelChoiceField:
    """A plain select of enterprises (the page chooser would offer the whole page tree)."""
    return forms.ModelChoiceField(
        queryset=EnterprisePage.objects.none(),
        label="Предприятие",
        empty_label="— выберите предприятие —",
    )


def limit_enterprises(field: forms.ModelChoiceField, user) -> None:
    """Offer only the user's enterprises; without a user, none at all."""
    if user is not None:
        field.queryset = hosted_enterprises(user).order_by("title")


class TourSessionAdminForm(WagtailAdminModelForm):
    """The create/edit form built from ``TourSession.panels``, enterprises limited to the user's."""

    enterprise = enterprise_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_enterprises(self.fields["enterprise"], self.for_user)


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label="Причина отмены",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Её получат в письме все записавшиеся.",
    )


def https_url_fields(db_field, **kwargs):
    """Model form fields, URLs assumed https when typed without a scheme (Django 6 default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SessionSeriesForm(forms.ModelForm):
    """One form, many dates: the shared details once, then a date per line.

    Validation covers every date before anything is saved: a date that does not
    parse, repeats, has passed, or already has a session at that enterprise and time
    makes the whole series fail, with each problem listed.
    """

    enterprise = enterprise_field()
    audiences = forms.MultipleChoiceField(
        label="Кому подходит",
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Audience.STUDENTS, Audience.FAMILIES, Audience.ADULTS],
    )
    start_time = forms.TimeField(
        label="Начало (московское время)", widget=AdminTimeInput, help_text="Например, 11:00."
    )
    duration_minutes = forms.IntegerField(
        label="Продолжительность, минут", min_value=15, max_value=12 * 60, initial=90
    )
    dates = forms.CharField(
        label="Даты",
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "02.12.2026\n09.12.2026"}),
        help_text=(
            "По одной дате в строке, в виде ДД.ММ.ГГГГ (можно и через запятую). "
            f"Не больше {MAX_SERIES_DATES} дат за раз."
        ),
    )

    class Meta:
        model = TourSession
        fields = [
            "enterprise",
            "event_format",
            "season",
            "title",
            "description",
            "capacity",
            "max_party_size",
            "meeting_point",
            "stream_url",
            "min_age",
            "id_document_required",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = https_url_fields

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_enterprises(self.fields["enterprise"], for_user)
        self.fields["season"].queryset = Season.objects.order_by("-start_date")
        if not self.is_bound and "season" not in self.initial:
            self.initial["season"] = Season.objects.current()

    def clean_dates(self) -> list[datetime.date]:
        tokens = [token for token in DATE_SEPARATORS.split(self.cleaned_data["dates"]) if token]
        if not tokens:
            raise ValidationError("Укажите хотя бы одну дату.")
        if len(tokens) > MAX_SERIES_DATES:
            raise ValidationError(f"Не больше {MAX_SERIES_DATES} дат за раз.")
        dates, errors = [], []
        for token in tokens:
            try:
                date = datetime.datetime.strptime(token, DATE_FORMAT).date()
            except ValueError:
                errors.append(f"«{token}» — не дата в виде ДД.ММ.ГГГГ.")
                continue
            if date in dates:
                errors.append(f"{date:{DATE_FORMAT}} указана дважды.")
                continue
            dates.append(date)
        if errors:
            raise ValidationError(errors)
        return sorted(dates)

    def clean(self):
        cleaned = super().clean()
        dates, start_time = cleaned.get("dates"), cleaned.get("start_time")
        if not dates or start_time is None:
            return cleaned
        now = timezone.now()
        # Editors schedule in Moscow time whatever their admin profile says.
        starts = {date: datetime.datetime.combine(date, start_time, moscow()) for date in dates}
        errors = [
            f"{date:{DATE_FORMAT}} в {start_time:%H:%M} — это время уже прошло."
            for date, starts_at in starts.items()
            if starts_at <= now
        ]
        enterprise = cleaned.get("enterprise")
        if enterprise is not None:
            # A second submit of the same series (double click, back button) would
            # otherwise schedule every date twice.
            taken = TourSession.objects.scheduled().filter(
                enterprise=enterprise, starts_at__in=list(starts.values())
            )
            errors += [
                in_moscow(s.starts_at).strftime(
                    f"{DATE_FORMAT} в %H:%M у предприятия уже есть сеанс."
                )
                for s in taken
            ]
        if errors:
            self.add_error("dates", errors)
        return cleaned

    def build_sessions(self) -> list[TourSession]:
        """Unsaved sessions, one per date, sharing the validated details."""
        data = self.cleaned_data
        duration = datetime.timedelta(minutes=data["duration_minutes"])
        audiences = set(data["audiences"])
        shared = {name: data[name] for name in self._meta.fields}
        shared.update(
            {
                field: audience in audiences
                for audience, field in TourSession.AUDIENCE_FIELDS.items()
            }
        )
        sessions = []
        for date in data["dates"]:
            starts_at = datetime.datetime.combine(date, data["start_time"], moscow())
            sessions.append(
                TourSession(**shared, starts_at=starts_at, ends_at=starts_at + duration)
            )
        return sessions
