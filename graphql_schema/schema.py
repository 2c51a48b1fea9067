"""The public GraphQL schema, composed from one query mixin per domain."""

import graphene

from graphql_schema.booking.mutations import BookingMutations
from graphql_schema.booking.queries import BookingQueries
from graphql_schema.catalogue.queries import CatalogueQueries
from graphql_schema.core.streamfield import BLOCK_TYPES
from graphql_schema.enterprises.queries import EnterpriseQueries
from graphql_schema.news.queries import NewsQueries
from graphql_schema.quests.mutations import QuestMutations
from graphql_schema.quests.queries import QuestQueries
from graphql_schema.site import types as site_types
from graphql_schema.site.queries import SiteQueries
from graphql_schema.videos.queries import VideoQueries


class Query(
    NewsQueries,
    EnterpriseQueries,
    VideoQueries,
    CatalogueQueries,
    BookingQueries,
    QuestQueries,
    SiteQueries,
    graphene.ObjectType,
):
    """Everything clients can read."""


class Mutation(BookingMutations, QuestMutations, graphene.ObjectType):
    """Everything clients can change: their own registrations and game progress."""


# Types reachable only through interfaces must be named so the schema includes them.
schema = graphene.Schema(
    query=Query,
    mutation=Mutation,
    types=[
        *BLOCK_TYPES.values(),
        site_types.HomePage,
        site_types.NewsIndexPage,
        site_types.EnterpriseIndexPage,
        site_types.VideoIndexPage,
        site_types.AwardsPage,
    ],
)
