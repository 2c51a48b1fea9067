from functools import partial

import graphene
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from graphene.relay.connection import connection_adapter, page_info_adapter
from graphql_relay import connection_from_array
from wagtail.models import Site

from graphql_schema.core.connections import check_cursors, check_page_size, page_size_limit
from graphql_schema.core.errors import InvalidInput
from graphql_schema.core.filters import SearchTextField
from graphql_schema.core.loading import plan
from graphql_schema.core.pages import PageInterface
from graphql_schema.core.policy import private
from graphql_schema.core.selection import selection_tree
from graphql_schema.enterprises.types import Enterprise
from graphql_schema.news.types import News
from graphql_schema.site.types import ProjectStats, SearchResultConnection
from graphql_schema.videos.types import VideoSeries
from pages import models, stats
from pages.preview import page_for_token
from pages.search import search_published_pages
from pages.visibility import page_at_path, published

# The page models search finds, and the GraphQL type each is answered as.
SEARCHABLE = {
    models.NewsPage: News,
    models.EnterprisePage: Enterprise,
    models.VideoSeriesPage: VideoSeries,
}


class SiteQueries(graphene.ObjectType):
    page = graphene.Field(
        PageInterface,
        url_path=graphene.String(required=True),
        description="The published page at a path of the site, e.g. “/novosti/…/”.",
    )
    # A draft, for whoever holds the editor's link: never cached anywhere.
    preview = private(
        graphene.Field(
            PageInterface,
            token=graphene.String(required=True),
            description=(
                "An editor's draft, as the admin's preview shows it, for the token the preview "
                "link carries; null once the token has expired or if it is not valid."
            ),
        )
    )
    search = graphene.ConnectionField(
        SearchResultConnection,
        query=graphene.String(required=True),
        description="News, enterprises and video series matching the text, best first.",
    )
    project_stats = graphene.Field(ProjectStats, required=True)

    @staticmethod
    def resolve_page(root, info, url_path):
        if len(url_path) > 1000:
            raise InvalidInput("Слишком длинный адрес страницы.", field="urlPath")
        site = Site.find_for_request(info.context)
        return page_at_path(site, url_path) if site else None

    @staticmethod
    def resolve_preview(root, info, token):
        return page_for_token(token)

    @staticmethod
    def resolve_search(root, info, query, **args):
        check_page_size(args.get("first"), args.get("last"))
        check_cursors(args)
        if args.get("first") is None and args.get("last") is None:
            args["first"] = page_size_limit()  # the same cap as every other list
        try:
            text = SearchTextField().clean(query)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], field="query") from error
        hits = search_published_pages(text, list(SEARCHABLE))
        connection = connection_from_array(
            hits,
            args,
            connection_type=partial(connection_adapter, SearchResultConnection),
            edge_type=SearchResultConnection.Edge,
            page_info_type=page_info_adapter,
        )
        _load_search_nodes(connection.edges, selection_tree(info, "edges", "node"))
        connection.length = len(hits)
        return connection

    @staticmethod
    def resolve_project_stats(root, info):
        site = Site.find_for_request(info.context)
        return ProjectStats(stated=stats.stated_totals(site), live=stats.live_counts())


def _load_search_nodes(edges, tree) -> None:
    """Replace each edge's (id, content type) with its page, one query batch per page type."""
    wanted: dict[int, list[int]] = {}
    for edge in edges:
        page_id, content_type_id = edge.node
        wanted.setdefault(content_type_id, []).append(page_id)
    loaded = {}
    for model, graphql_type in SEARCHABLE.items():
        ids = wanted.get(ContentType.objects.get_for_model(model).pk)
        if ids:
            # Each type's fields come from its own inline fragment in the query.
            visible = published(model.objects.all())
            loaded.update(plan(visible, graphql_type, tree).in_bulk(ids))
    for edge in edges:
        edge.node = loaded.get(edge.node[0])
