import django_filters
from django.db.models import Exists, OuterRef

from booking.models import TourSession
from graphql_schema.core.filters import CaseInsensitiveChoiceFilter, SearchTextFilter
from graphql_schema.core.policy import live
from pages.models import EnterprisePage


class EnterpriseFilter(django_filters.FilterSet):
    """Filters of ``enterprises``."""

    industry = django_filters.CharFilter(field_name="industries__slug", label="Industry slug.")
    district = django_filters.CharFilter(field_name="district__slug", label="District slug.")
    format = django_filters.CharFilter(field_name="formats__slug", label="Event format slug.")
    kind = CaseInsensitiveChoiceFilter(
        choices=EnterprisePage.Kind.choices, label="ENTERPRISE, MUSEUM or TECHNOPARK."
    )
    technopolis_resident = django_filters.BooleanFilter(field_name="is_technopolis_resident")
    # Sessions come and go with bookings and time: an answer filtered by them is live.
    has_upcoming_sessions = live(
        django_filters.BooleanFilter(method="filter_has_upcoming_sessions")
    )
    search = SearchTextFilter(label="Full-text search.")

    class Meta:
        model = EnterprisePage
        fields = [
            "industry",
            "district",
            "format",
            "kind",
            "technopolis_resident",
            "has_upcoming_sessions",
            "search",
        ]

    def filter_has_upcoming_sessions(self, queryset, name, value):
        if value is None:
            return queryset
        upcoming = TourSession.objects.upcoming().filter(enterprise=OuterRef("pk"))
        return queryset.filter(Exists(upcoming) if value else ~Exists(upcoming))
