import graphene

from graphql_schema.core.connections import ListField, no_filters
from graphql_schema.core.loading import plan
from graphql_schema.core.selection import selection_tree
from graphql_schema.videos.types import VideoSeries
from pages.models import VideoSeriesPage
from pages.visibility import published


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
        return plan(published(VideoSeriesPage.objects.all()), VideoSeries, tree).order_by(
            "-first_published_at", "-pk"
        )

    @staticmethod
    def resolve_video_series(root, info, slug):
        return (
            plan(published(VideoSeriesPage.objects.all()), VideoSeries, selection_tree(info))
            .filter(slug=slug)
            .first()
        )
