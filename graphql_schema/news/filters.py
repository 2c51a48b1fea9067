import django_filters

from graphql_schema.core.filters import PublishedEnterpriseFilter, SearchTextFilter
from pages.models import NewsPage


class NewsFilter(django_filters.FilterSet):
    """Filters of ``newsList``."""

    industry = django_filters.CharFilter(field_name="industries__slug", label="Industry slug.")
    enterprise = PublishedEnterpriseFilter(
        field_name="related_enterprises", label="Related enterprise's slug."
    )
    tag = django_filters.CharFilter(field_name="tags__name", label="Tag.")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    search = SearchTextFilter(label="Full-text search.")

    class Meta:
        model = NewsPage
        fields = ["industry", "enterprise", "tag", "date_from", "date_to", "search"]
