"""Filters shared by the page lists."""

import django_filters
from django.core.exceptions import ValidationError

from pages.search import matching_ids

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 200


def clean_search_text(text: str) -> str:
    """Trimmed search text of a sensible length, or a ValidationError in Russian."""
    text = (text or "").strip()
    if len(text) < SEARCH_MIN_LENGTH:
        raise ValidationError(f"Запрос должен быть не короче {SEARCH_MIN_LENGTH} символов.")
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError(f"Запрос должен быть не длиннее {SEARCH_MAX_LENGTH} символов.")
    return text


class SearchTextFilter(django_filters.CharFilter):
    """Full-text search through Wagtail's search backend (Russian stemming on PostgreSQL)."""

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(pk__in=matching_ids(queryset.model, clean_search_text(value)))
