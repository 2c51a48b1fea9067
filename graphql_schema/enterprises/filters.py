import django_filters

from graphql_schema.core.filters import SearchTextFilter
from pages.models import EnterprisePage


class EnterpriseFilter(django_filters.FilterSet):
    """Filters of ``enterprises``."""

    industry = django_filters.CharFilter(field_name="industries__slug", label="Industry slug.")
    district = django_filters.CharFilter(field_name="district__slug", label="District slug.")
    format = django_filters.CharFilter(field_name="formats__slug", label="Event format slug.")
    kind = django_filters.ChoiceFilter(choices=EnterprisePage.Kind.choices)
    technopolis_resident = django_filters.BooleanFilter(field_name="is_technopolis_resident")
    search = SearchTextFilter(label="Full-text search.")

    class Meta:
        model = EnterprisePage
        fields = ["industry", "district", "format", "kind", "technopolis_resident", "search"]
