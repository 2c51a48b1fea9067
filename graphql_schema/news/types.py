"""News items as clients read them."""

from collections import defaultdict

import graphene
from graphene_django import DjangoObjectType

from catalogue.models import Industry as IndustryModel
from graphql_schema.catalogue.types import Industry
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.images import image_field
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, prefetched_or_query, related
from graphql_schema.core.pages import PAGE_FIELDS, PageInterface, page_type
from graphql_schema.core.streamfield import resolve_stream, stream_field
from graphql_schema.enterprises.relations import published_enterprises
from pages import models
from pages.visibility import published

TAG_NAMES_ATTR = "loaded_tag_names"


def load_tag_names(tree, pages) -> None:
    """Each page's tag names, sorted, for all ``pages`` in one query."""
    names = defaultdict(list)
    rows = models.NewsPageTag.objects.filter(content_object__in=[page.pk for page in pages])
    for page_id, name in rows.values_list("content_object_id", "tag__name"):
        names[page_id].append(name)
    for page in pages:
        setattr(page, TAG_NAMES_ATTR, sorted(names.get(page.pk, ())))


@page_type(models.NewsPage)
class News(DjangoObjectType):
    """A news item."""

    hero_image = image_field("hero_image")
    body = stream_field()
    industries = loads(
        BoundedList(Industry, max_items=20),
        prefetch=[
            related(
                "industries", Industry, IndustryModel.objects.all, to_attr="prefetched_industries"
            )
        ],
    )
    related_enterprises = loads(
        BoundedList("graphql_schema.enterprises.types.Enterprise", max_items=30),
        prefetch=[
            published_enterprises("related_enterprises", to_attr="visible_related_enterprises")
        ],
    )
    # Names only, for all items in one query: neither a queryset per item (taggit's
    # manager) nor a Tag object per name.
    tags = loads(BoundedList(graphene.String, max_items=30), batch=[load_tag_names], columns=[])

    class Meta:
        model = models.NewsPage
        fields = [*PAGE_FIELDS, "date", "lead", "source_name", "source_url"]
        interfaces = (PageInterface,)
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_body(page, info):
        return resolve_stream(page.body)

    @staticmethod
    def resolve_industries(page, info):
        return prefetched_or_query(page, "prefetched_industries", page.industries.all)

    @staticmethod
    def resolve_related_enterprises(page, info):
        return prefetched_or_query(
            page,
            "visible_related_enterprises",
            lambda: published(page.related_enterprises.all()),
        )

    @staticmethod
    def resolve_tags(page, info):
        names = getattr(page, TAG_NAMES_ATTR, None)
        if names is None:  # not loaded by a query (a preview): the page's own tags
            names = sorted(tag.name for tag in page.tags.all())
        return names
