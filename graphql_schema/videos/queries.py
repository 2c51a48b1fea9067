import graphene

from graphql_schema.core.connections import ListField, no_filters
from graphql_schema.core.prefetch import video_series_queryset
from graphql_schema.core.selection import selection_tree
from graphql_schema.videos.types import VideoSeries
from pages.models import VideoSeriesPage


class VideoQueries(graphene.ObjectType):
    video_series_list = ListField(
        VideoSeries,
        filterset_class=no_filters(VideoSeriesPage),
        description="Published video series, newest first.",
    )
    video_series = graphene.Field(VideoSeries, slug=graphene.String(required=True))

    @staticmethod
    def resolve_video_series_list(root, info, **kwargs):
        tree = selection_tree(info, "edges", "node")
        return video_series_queryset(tree).order_by("-first_published_at", "-pk")

    @staticmethod
    def resolve_video_series(root, info, slug):
        return video_series_queryset(selection_tree(info)).filter(slug=slug).first()
