"""Full-text search through Wagtail's search backend (Russian stemming on PostgreSQL)."""

import re

from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from pages.visibility import published

# Enough for any list a person pages through; bounds the work one query can cause.
MAX_SEARCH_HITS = 500
# Quotes, operators and other punctuation are the backends' query syntax (SQLite's FTS5
# fails on an unbalanced quote): searches are for words only.
NOT_A_WORD = re.compile(r"[^\w\s]+")


def search_words(text: str) -> str:
    """The words of ``text``, separated by single spaces, without any punctuation."""
    return " ".join(NOT_A_WORD.sub(" ", text).replace("_", " ").split())


def matching_ids(queryset, text: str) -> list[int]:
    """Primary keys of the pages of ``queryset`` matching ``text``, best match first.

    The queryset's own filters (its visibility) run in the same SQL as the search, before
    the hit cap, so hidden matches never crowd out visible ones; only ids are loaded,
    so the cost does not grow with the size of the matching rows.
    """
    candidates = queryset.model.objects.filter(
        pk__in=queryset.order_by().prefetch_related(None).values("pk")
    ).only("pk")
    results = get_search_backend().search(search_words(text), candidates, operator="and")
    return [page.pk for page in results[:MAX_SEARCH_HITS]]


def search_published_pages(text: str, page_models: list[type[Page]]) -> list[tuple[int, int]]:
    """(page id, content type id) of published pages of ``page_models``, best match first.

    Visibility is part of the search's SQL, before the hit cap (see ``matching_ids``).
    """
    visible = published(Page.objects.type(*page_models)).values("pk")
    # The search backend filters only on indexed fields; any filter goes in as a subquery.
    candidates = Page.objects.filter(pk__in=visible).only("pk", "content_type_id")
    hits = get_search_backend().search(search_words(text), candidates, operator="and")
    return [(page.pk, page.content_type_id) for page in hits[:MAX_SEARCH_HITS]]
