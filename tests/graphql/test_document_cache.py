"""Each distinct query text is parsed and validated once; cached GETs skip even that."""

from unittest import mock

import pytest
from graphql import parse as real_parse

from changes.content import bump_version
from graphql_schema import documents
from graphql_schema.documents import DocumentCache, PreparedDocument
from tests import factories

NEWS = "query($slug: String!) { news(slug: $slug) { title } }"


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, title="Новость")


@pytest.fixture
def parses():
    documents.documents.clear()
    with mock.patch.object(documents, "parse", wraps=real_parse) as spy:
        yield spy


def test_a_repeated_query_is_parsed_once(graphql, news, parses):
    for _ in range(3):
        assert graphql(NEWS, {"slug": news.slug})["news"]["title"] == "Новость"
    assert parses.call_count == 1


def test_a_repeated_bad_query_is_refused_alike_without_parsing_again(graphql, db, parses):
    first = graphql.post("{ newsList { nope } }")
    second = graphql.post("{ newsList { nope } }")
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()
    assert parses.call_count == 1


def test_a_changed_setting_is_never_answered_from_an_earlier_outcome(graphql, db, settings):
    introspection = "{ __schema { queryType { name } } }"
    assert graphql.post(introspection).status_code == 200
    settings.GRAPHQL_INTROSPECTION = False
    assert graphql.post(introspection).status_code == 400
    settings.GRAPHQL_MAX_DEPTH = 1
    assert graphql.post(NEWS, {"slug": "x"}).status_code == 400


def test_a_cached_get_is_answered_before_parsing(graphql, news, parses):
    first = graphql.get(NEWS, {"slug": news.slug})
    calls = parses.call_count
    documents.documents.clear()  # not even the prepared document is needed
    second = graphql.get(NEWS, {"slug": news.slug})
    assert parses.call_count == calls
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == first["Cache-Control"]

    not_modified = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    bump_version()  # a publish: the stored answer is out of reach
    graphql.get(NEWS, {"slug": news.slug})
    assert parses.call_count == calls + 1


def test_the_cache_is_bounded_in_entries_and_bytes():
    prepared = PreparedDocument(None)
    cache = DocumentCache(max_entries=2, max_bytes=100)
    cache.put(("a",), 10, prepared)
    cache.put(("b",), 10, prepared)
    cache.get(("a",))  # a is now the most recent
    cache.put(("c",), 10, prepared)
    assert cache.get(("b",)) is None and cache.get(("a",)) is prepared and len(cache) == 2
    cache.put(("big",), 95, prepared)  # pushes the others out of the byte budget
    assert len(cache) == 1 and cache.get(("big",)) is prepared
    cache.put(("huge",), 101, prepared)  # never kept at all
    assert cache.get(("huge",)) is None
