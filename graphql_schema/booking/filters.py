import django_filters
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Audience, TourSession


class SessionFilter(django_filters.FilterSet):
    """Filters of ``sessions``."""

    enterprise = django_filters.CharFilter(field_name="enterprise__slug")
    industry = django_filters.CharFilter(field_name="enterprise__industries__slug")
    format = django_filters.CharFilter(field_name="event_format__slug")
    season = django_filters.CharFilter(field_name="season__slug")
    date_from = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="lte")
    available_only = django_filters.BooleanFilter(method="filter_available")
    age = django_filters.NumberFilter(
        method="filter_age",
        label="Sessions a visitor of this age may attend.",
        min_value=0,
        max_value=120,
    )
    audience = django_filters.ChoiceFilter(choices=Audience.choices, method="filter_audience")

    class Meta:
        model = TourSession
        fields = [
            "enterprise",
            "industry",
            "format",
            "season",
            "date_from",
            "date_to",
            "available_only",
            "age",
            "audience",
        ]

    def filter_available(self, queryset, name, value):
        """Open for registration with at least one free seat (``with_seats_taken`` applied)."""
        if not value:
            return queryset
        return queryset.filter(
            TourSession.registration_open_q(timezone.now()),
            capacity__gt=F("seats_taken_count"),
        )

    def filter_age(self, queryset, name, value):
        if value is None:
            return queryset
        min_age = Coalesce("min_age", "enterprise__min_age")
        return queryset.alias(effective_min_age=min_age).filter(
            Q(effective_min_age__isnull=True) | Q(effective_min_age__lte=value)
        )

    def filter_audience(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{TourSession.AUDIENCE_FIELDS[Audience(value)]: True})
