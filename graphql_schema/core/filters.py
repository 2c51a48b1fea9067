"""Filters shared by the page lists."""

import django_filters
from django import forms

from pages.models import EnterprisePage
from pages.search import matching_ids, search_words
from pages.visibility import published

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 200


class SearchTextField(forms.CharField):
    """Search words of a sensible length; anything else is a form error (INVALID_INPUT).

    Text that is given but holds no word ("   ", quotes only) is refused, the same in
    every list's ``search`` filter and in ``search(query:)``.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if value is None:
            return text
        words = search_words(text)
        if len(words) < SEARCH_MIN_LENGTH:
            raise forms.ValidationError(
                f"Для поиска нужно хотя бы {SEARCH_MIN_LENGTH} буквы или цифры.",
                code="min_length",
            )
        return words


class SearchTextFilter(django_filters.CharFilter):
    """Full-text search through Wagtail's search backend (Russian stemming on PostgreSQL)."""

    field_class = SearchTextField

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(pk__in=matching_ids(queryset, value))


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
