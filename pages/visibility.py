"""Which pages the public may see. Every public read of pages goes through here."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page
from wagtail.query import PageQuerySet

# Inside ``one_view_of_restrictions``: {"private": Q} once the private sections are read.
_request_view: ContextVar[dict | None] = ContextVar("private_sections", default=None)


@contextmanager
def one_view_of_restrictions():
    """Within: the private sections (pages with a view restriction) are read once, by the
    first ``published`` call, and every later call uses the same. One answer then sees
    one set of them, and a list of pages with related pages reads them once, not per
    queryset."""
    token = _request_view.set({})
    try:
        yield
    finally:
        _request_view.reset(token)


def _private_q(queryset: PageQuerySet) -> Q:
    view = _request_view.get()
    if view is None:
        return queryset.private_q()
    if "private" not in view:
        view["private"] = queryset.private_q()
    return view["private"]


def published(queryset: PageQuerySet) -> PageQuerySet:
    """Live, public (no view restriction on it or an ancestor) and not past its expiry date.

    ``expire_at`` is checked here too because a live page stays ``live`` until the
    ``publish_scheduled`` command runs; an expired page must vanish at once.
    """
    return (
        queryset.live()
        .exclude(_private_q(queryset))  # Wagtail's public(), its sections read once
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
    )


def page_at_path(site, url_path: str):
    """The published page at ``url_path`` of ``site`` ("/" is its home), specific, or None."""
    path = "/".join(part for part in url_path.split("/") if part)
    full_path = site.root_page.url_path + (path + "/" if path else "")
    return published(Page.objects.filter(url_path=full_path)).specific().first()
