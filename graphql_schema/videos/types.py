"""Video series and their episodes."""

import graphene
from graphene_django import DjangoObjectType

from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.images import image_field
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, prefetched_or_query, related
from graphql_schema.core.pages import PAGE_FIELDS, PageInterface, page_type
from graphql_schema.enterprises.relations import published_enterprises
from pages import models
from pages.visibility import published

VideoPlatform = enum_from_choices("VideoPlatform", models.VideoSeriesPage.Platform.choices)


class VideoEpisode(DjangoObjectType):
    enterprises = loads(
        BoundedList(
            "graphql_schema.enterprises.types.Enterprise",
            max_items=10,
            description="Published enterprises featured in the episode.",
        ),
        prefetch=[published_enterprises("enterprises", to_attr="visible_enterprises")],
    )

    class Meta:
        model = models.VideoEpisode
        fields = [
            "id",
            "number",
            "title",
            "description",
            "video_url",
            "duration_seconds",
            "published_on",
        ]

    @staticmethod
    def resolve_enterprises(episode, info):
        return prefetched_or_query(
            episode, "visible_enterprises", lambda: published(episode.enterprises.all())
        )


@page_type(models.VideoSeriesPage)
class VideoSeries(DjangoObjectType):
    """A video series with its episodes in order."""

    cover_image = image_field("cover_image")
    platform = graphene.Field(VideoPlatform, required=True)
    episodes = loads(
        BoundedList(VideoEpisode, max_items=50),
        prefetch=[
            related(
                "episodes",
                VideoEpisode,
                models.VideoEpisode.objects.all,
                to_attr="ordered_episodes",
                order_by=("sort_order",),
            )
        ],
    )

    class Meta:
        model = models.VideoSeriesPage
        fields = [*PAGE_FIELDS, "description", "platform_url", "partner"]
        interfaces = (PageInterface,)
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_platform(page, info):
        return str(page.platform)

    @staticmethod
    def resolve_episodes(page, info):
        return prefetched_or_query(
            page, "ordered_episodes", lambda: page.episodes.order_by("sort_order")
        )
