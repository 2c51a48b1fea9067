import django_filters

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
        """Open for registration with at least one free seat."""
        return queryset.available() if value else queryset

    def filter_age(self, queryset, name, value):
        return queryset if value is None else queryset.open_for_age(value)

    def filter_audience(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{TourSession.AUDIENCE_FIELDS[Audience(value)]: True})
