"""Lists load only the columns their selection reads (``graphql_schema.core.loading``).

Whether a declaration misses a column is the schema-wide query-count test's business
(a missed column costs a query per object); here: that the planner restricts columns at
all, keeps what it must, and loads everything when a field's needs are unknown.
"""

import graphene
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphene_django import DjangoObjectType

from catalogue.models import Season as SeasonModel
from graphql_schema.booking.types import TourSession
from graphql_schema.catalogue.types import Season
from graphql_schema.core.loading import columns_to_load, plan
from graphql_schema.enterprises.types import Enterprise
from graphql_schema.news.types import News
from pages.models import EnterprisePage, NewsPage, VideoSeriesPage
from tests.graphql.test_lists_query_counts import make_news


def test_a_news_card_reads_its_own_columns_and_the_ids_of_what_it_loads():
    tree = {"title": {}, "url": {}, "date": {}, "heroImage": {"rendition": {}}, "tags": {}}
    columns = set(plan(NewsPage.objects.all(), News, tree).query.deferred_loading[0])
    assert {"title", "url_path", "date", "hero_image", "page_ptr"} <= columns
    assert not {"body", "lead", "search_description", "draft_title"} & columns
    # The ids of relations nothing selected loads are not set on every page.
    assert not {"content_type", "locale", "owner", "latest_revision", "alias_of"} & columns
    # Without the plan's relations, no relation's id is kept, only the key's.
    bare = set(columns_to_load(NewsPage.objects.all(), News, {"title": {}}))
    assert bare == {"id", "page_ptr", "title"}


@pytest.mark.django_db
def test_items_keep_the_key_that_matches_them_to_their_parent():
    from graphql_schema.videos.types import VideoSeries

    planned = plan(VideoSeriesPage.objects.all(), VideoSeries, {"episodes": {"title": {}}})
    (episodes,) = planned._prefetch_related_lookups
    # Django puts each episode on its series by the episode's ``page`` key.
    assert set(episodes.queryset.query.deferred_loading[0]) == {"id", "page", "title"}


def test_a_related_managers_children_keep_their_key_to_the_parent(site_tree):
    from graphql_schema.videos.types import VideoEpisode
    from tests import factories

    series = factories.VideoSeriesPageFactory(parent=site_tree.video_index)
    # The manager sets the series on each episode by the episode's key: it stays loaded.
    planned = plan(series.episodes.all(), VideoEpisode, {"title": {}})
    assert set(planned.query.deferred_loading[0]) == {"id", "page", "title"}


def test_declared_columns_of_fields_with_resolvers_of_their_own():
    tree = {"name": {}, "coordinates": {}, "seoTitle": {}, "body": {}}
    columns = set(columns_to_load(EnterprisePage.objects.all(), Enterprise, tree))
    assert {"title", "latitude", "longitude", "seo_title", "body"} <= columns
    assert "address" not in columns


def test_fields_of_another_type_and_typename_are_ignored():
    columns = columns_to_load(NewsPage.objects.all(), News, {"__typename": {}, "kind": {}})
    assert columns is not None and "title" not in columns


def test_a_resolver_without_declared_columns_loads_every_column():
    class Shelf(DjangoObjectType):
        label = graphene.String()

        class Meta:
            model = SeasonModel
            fields = ["id", "name"]
            skip_registry = True

        @staticmethod
        def resolve_label(season, info):
            return f"{season.name} ({season.kind})"

    assert columns_to_load(SeasonModel.objects.all(), Shelf, {"name": {}}) == ["id", "name"]
    assert columns_to_load(SeasonModel.objects.all(), Shelf, {"label": {}}) is None
    # Season.kind has a resolver of its own: unknown, so nothing is deferred.
    assert columns_to_load(SeasonModel.objects.all(), Season, {"kind": {}}) is None


@pytest.mark.django_db
def test_a_field_another_one_needs_loads_every_column():
    planned = plan(TourSession._meta.model.objects.all(), TourSession, {"title": {}})
    (enterprises,) = [p for p in planned._prefetch_related_lookups if p.prefetch_to == "enterprise"]
    # The title falls back to the enterprise's: all its columns, not the selection's.
    assert enterprises.queryset.query.deferred_loading == (frozenset(), True)


def test_the_feed_query_leaves_bodies_in_the_database(site_tree, graphql):
    make_news(site_tree, 3)
    query = "{ newsList(first: 10) { edges { node { title lead url } } } }"
    with CaptureQueriesContext(connection) as captured:
        data = graphql(query)
    assert len(data["newsList"]["edges"]) == 3
    (news_query,) = [
        q["sql"] for q in captured.captured_queries if '"pages_newspage"."lead"' in q["sql"]
    ]
    assert '"pages_newspage"."body"' not in news_query
    assert '"wagtailcore_page"."search_description"' not in news_query
    # The whole body when it is asked for.
    with CaptureQueriesContext(connection) as captured:
        graphql("{ newsList(first: 10) { edges { node { title body { blockType } } } } }")
    assert any('"pages_newspage"."body"' in q["sql"] for q in captured.captured_queries)


def test_a_relation_graphene_django_makes_dynamic_is_unknown_not_an_error():
    from quests.models import Task as TaskModel

    class Chore(DjangoObjectType):
        class Meta:
            model = TaskModel
            fields = ["id", "slug", "season"]  # season: a Dynamic field, resolved later
            skip_registry = True

    assert columns_to_load(TaskModel.objects.all(), Chore, {"slug": {}}) is not None
    assert columns_to_load(TaskModel.objects.all(), Chore, {"season": {}}) is None
