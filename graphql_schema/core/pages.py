"""What every page type offers clients: identity, URL, SEO fields, publication dates."""

import graphene
from wagtail.rich_text import expand_db_html

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
    url = graphene.String(
        required=True, description="The page's path on the site, e.g. “/novosti/…/”."
    )
    seo_title = graphene.String(required=True, description="Falls back to the title.")
    search_description = graphene.String(required=True)
    first_published_at = graphene.DateTime()
    last_published_at = graphene.DateTime()

    @classmethod
    def resolve_type(cls, instance, info):
        return PAGE_TYPES.get(type(instance))

    @staticmethod
    def resolve_url(page, info):
        return page.path_on_site(info.context) or "/"

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
