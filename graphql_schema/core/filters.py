"""Filters shared by the page lists."""

import django_filters
from django import forms

from pages.models import EnterprisePage
from pages.search import matching_ids
from pages.visibility import published

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 200


class SearchTextField(forms.CharField):
    """Search text of a sensible length; a bad one is a form error (INVALID_INPUT)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", SEARCH_MIN_LENGTH)
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)


class SearchTextFilter(django_filters.CharFilter):
    """Full-text search through Wagtail's search backend (Russian stemming on PostgreSQL)."""

    field_class = SearchTextField

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(pk__in=matching_ids(queryset.model, value))


class PublishedEnterpriseFilter(django_filters.CharFilter):
    """By a published enterprise's slug: a hidden enterprise's slug matches nothing."""

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        enterprises = published(EnterprisePage.objects.filter(slug=value))
        return queryset.filter(**{f"{self.field_name}__in": enterprises})


class LowercaseChoiceField(django_filters.fields.ChoiceField):
    def to_python(self, value):
        value = super().to_python(value)
        return value.lower() if isinstance(value, str) else value


class CaseInsensitiveChoiceFilter(django_filters.ChoiceFilter):
    """A choice given as in the API's enums (MUSEUM) or as stored (museum); anything else
    is INVALID_INPUT."""

    field_class = LowercaseChoiceField
