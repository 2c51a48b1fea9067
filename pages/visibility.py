"""Which pages the public may see. Every public read of pages goes through here."""

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page
from wagtail.query import PageQuerySet


def published(queryset: PageQuerySet) -> PageQuerySet:
    """Live, public (no view restriction on it or an ancestor) and not past its expiry date.

    ``expire_at`` is checked here too because a live page stays ``live`` until the
    ``publish_scheduled`` command runs; an expired page must vanish at once.
    """
    return (
        queryset.live().public().filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
    )


def page_at_path(site, url_path: str):
    """The published page at ``url_path`` of ``site`` ("/" is its home), specific, or None."""
    path = "/".join(part for part in url_path.split("/") if part)
    full_path = site.root_page.url_path + (path + "/" if path else "")
    return published(Page.objects.filter(url_path=full_path)).specific().first()
