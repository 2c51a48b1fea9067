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


def matching_ids(model: type[Page], text: str) -> list[int]:
    """Primary keys of ``model`` pages matching ``text``, best match first.

    Visibility is not applied here: callers intersect the ids with ``published()``.
    """
    results = get_search_backend().search(search_words(text), model, operator="and")
    return [page.pk for page in results[:MAX_SEARCH_HITS]]


def search_published_pages(text: str, page_models: list[type[Page]]) -> list[tuple[int, int]]:
    """(page id, content type id) of published pages of ``page_models``, best match first."""
    candidates = Page.objects.type(*page_models)
    hits = get_search_backend().search(search_words(text), candidates, operator="and")
    hits = hits[:MAX_SEARCH_HITS]
    ranked = [(page.pk, page.content_type_id) for page in hits]
    visible = set(
        published(Page.objects.filter(pk__in=[pk for pk, _ in ranked])).values_list("pk", flat=True)
    )
    return [hit for hit in ranked if hit[0] in visible]
