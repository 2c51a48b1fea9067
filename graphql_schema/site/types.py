"""The home page, section pages, search results and the programme's figures."""

import graphene
from graphene_django import DjangoObjectType

from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.images import Image
from graphql_schema.core.pages import PAGE_FIELDS, PageInterface, page_type
from graphql_schema.enterprises.types import Enterprise
from graphql_schema.news.types import News
from graphql_schema.videos.types import VideoSeries
from pages import models


@page_type(models.HomePage)
class HomePage(DjangoObjectType):
    hero_image = graphene.Field(Image)

    class Meta:
        model = models.HomePage
        fields = [*PAGE_FIELDS, "lead"]
        interfaces = (PageInterface,)


def section_type(model, name):
    """A GraphQL type for a section page that only has an intro."""

    meta = type("Meta", (), {"model": model, "fields": [*PAGE_FIELDS, "intro"],
                             "interfaces": (PageInterface,), "name": name})  # fmt: skip
    return page_type(model)(type(name, (DjangoObjectType,), {"Meta": meta}))


NewsIndexPage = section_type(models.NewsIndexPage, "NewsIndexPage")
EnterpriseIndexPage = section_type(models.EnterpriseIndexPage, "EnterpriseIndexPage")
VideoIndexPage = section_type(models.VideoIndexPage, "VideoIndexPage")
AwardsPage = section_type(models.AwardsPage, "AwardsPage")


class SearchResult(graphene.Union):
    """A page found by ``search``."""

    class Meta:
        types = (News, Enterprise, VideoSeries)


class SearchResultConnection(CountableConnection):
    class Meta:
        node = SearchResult


class StatedTotals(graphene.ObjectType):
    """Historical totals as the programme's editors state them (ProgrammeSettings)."""

    excursions_since_2019 = graphene.Int()
    master_classes_total = graphene.Int()
    offline_participants_total = graphene.Int()
    online_audience_total = graphene.Int()
    enterprises_total = graphene.Int()
    awards_total = graphene.Int()
    figures_as_of = graphene.Date(description="When all figures share one date.")
    figures_note = graphene.String(description="Where the figures come from, and when.")


class LiveCounts(graphene.ObjectType):
    """What the CMS holds right now, counted from published content."""

    enterprises = graphene.Int(required=True)
    news = graphene.Int(required=True)
    video_series = graphene.Int(required=True)
    awards = graphene.Int(required=True)


class ProjectStats(graphene.ObjectType):
    stated = graphene.Field(StatedTotals, required=True)
    live = graphene.Field(LiveCounts, required=True)
