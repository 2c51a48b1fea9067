"""What every page type offers clients: identity, URL, SEO fields, publication dates."""

import re
from urllib.parse import quote

import graphene
from django.conf import settings
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from graphql_schema.core.loading import loads

# Wagtail page model → GraphQL type, filled by ``page_type``.
PAGE_TYPES: dict[type, type] = {}


def page_type(model):
    """Register a GraphQL type as the one that represents ``model`` behind PageInterface."""

    def register(graphql_type):
        PAGE_TYPES[model] = graphql_type
        return graphql_type

    return register


class PageInterface(graphene.Interface):
    """A published page of the site."""

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    slug = graphene.String(required=True)
    url = loads(
        graphene.String(
            required=True, description="The page's path on the site, e.g. “/novosti/…/”."
        ),
        columns=["url_path"],
    )
    seo_title = loads(
        graphene.String(required=True, description="Falls back to the title."),
        columns=["seo_title", "title"],
    )
    search_description = graphene.String(required=True)
    first_published_at = graphene.DateTime()
    last_published_at = graphene.DateTime()

    @classmethod
    def resolve_type(cls, instance, info):
        return PAGE_TYPES.get(type(instance))

    @staticmethod
    def resolve_url(page, info):
        return page_path(page, info.context) or "/"

    @staticmethod
    def resolve_seo_title(page, info):
        return page.seo_title or page.title


PAGE_FIELDS = [
    "id",
    "title",
    "slug",
    "seo_title",
    "search_description",
    "first_published_at",
    "last_published_at",
]


def rich_text_html(value) -> str:
    """Rich text as HTML with internal page and document links resolved to real URLs."""
    source = value.source if hasattr(value, "source") else (value or "")
    return expand_db_html(source)


# What Django's reverse() leaves unquoted in a URL argument, and the paths Wagtail's
# catch-all route serves (WAGTAIL_APPEND_SLASH, the default).
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
_SERVED_PATH = re.compile(r"(?:[\w\-]+/)*")
_PREFIX_ATTR = "_graphql_page_url_prefix"


def page_path(page, request) -> str | None:
    """The page's path on its site, as ``HeadlessPage.path_on_site`` gives it, but
    without a URL reversal per page: the request keeps its sites' root paths (Wagtail
    caches them on it) and the route's prefix, and the page's path is joined to them.

    Anything unusual (a page in several sites, a model with its own routing, i18n, a
    path the route would not serve) takes Wagtail's own way.
    """
    if settings.WAGTAIL_I18N_ENABLED or type(page).get_url_parts is not Page.get_url_parts:
        return page.path_on_site(request)
    roots = [r for r in page._get_site_root_paths(request) if page.url_path.startswith(r.root_path)]
    if len({root.site_id for root in roots}) != 1:
        return page.path_on_site(request)
    relative = page.url_path[len(roots[0].root_path) :]
    if not _SERVED_PATH.fullmatch(relative):
        return page.path_on_site(request)
    prefix = getattr(request, _PREFIX_ATTR, None)
    if prefix is None:
        prefix = reverse("wagtail_serve", args=("",))
        setattr(request, _PREFIX_ATTR, prefix)
    return prefix + quote(relative, safe=_URL_SAFE)
