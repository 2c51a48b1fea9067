"""Stored answers are served by CachedAnswerMiddleware, before the rest of the stack.

What a client sees must not change with that: the same bytes and the same headers as
the answer that was stored, CORS worked out for its own Origin, hosts still validated.
"""

from unittest import mock

import pytest
from django.core.cache import caches
from django.core.checks import run_checks
from django.test import override_settings

from graphql_schema import caching
from graphql_schema.views import PublicGraphQLView
from tests import factories

NEWS = "query($slug: String!) { news(slug: $slug) { title lead } }"
# Set for each response by the server or the test client, not part of an answer.
PER_RESPONSE = {"Date", "Content-Length"}


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, title="Кешируемая новость")


@pytest.fixture
def dispatches():
    """Counts the view's dispatches: a stored answer must not reach the view."""
    calls = []
    original = PublicGraphQLView.dispatch

    def counted(self, request, *args, **kwargs):
        calls.append(request.method)
        return original(self, request, *args, **kwargs)

    with mock.patch.object(PublicGraphQLView, "dispatch", counted):
        yield calls


def headers_of(response) -> dict:
    return {name: value for name, value in response.items() if name not in PER_RESPONSE}


def test_a_stored_answer_never_reaches_the_view(graphql, news, dispatches):
    first = graphql.get(NEWS, {"slug": news.slug})
    assert dispatches == ["GET"]
    second = graphql.get(NEWS, {"slug": news.slug})
    assert dispatches == ["GET"]
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Length"] == str(len(first.content))


def test_a_stored_answer_has_the_headers_it_was_first_sent_with(graphql, news, dispatches):
    first = graphql.get(NEWS, {"slug": news.slug})
    second = graphql.get(NEWS, {"slug": news.slug})
    assert len(dispatches) == 1
    assert headers_of(second) == headers_of(first)
    # Those of the layers the stored answer skips, too.
    for name in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "ETag", "Vary"):
        assert second[name], name
    assert not second.cookies


@override_settings(GRAPHQL_CORS_ALLOWED_ORIGINS=["https://mosprom.example"])
def test_cors_is_answered_for_each_request_not_replayed(graphql, news, dispatches):
    allowed = graphql.get(NEWS, {"slug": news.slug}, HTTP_ORIGIN="https://mosprom.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://mosprom.example"
    other = graphql.get(NEWS, {"slug": news.slug}, HTTP_ORIGIN="https://elsewhere.example")
    none = graphql.get(NEWS, {"slug": news.slug})
    again = graphql.get(NEWS, {"slug": news.slug}, HTTP_ORIGIN="https://mosprom.example")
    assert len(dispatches) == 1  # all but the first from the cache
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in none
    assert again["Access-Control-Allow-Origin"] == "https://mosprom.example"
    assert "Origin" in again["Vary"]


def test_an_unknown_host_is_refused_even_with_an_answer_stored(graphql, news, dispatches):
    graphql.get(NEWS, {"slug": news.slug})
    refused = graphql.get(NEWS, {"slug": news.slug}, HTTP_HOST="evil.example")
    assert refused.status_code == 400
    assert "Кешируемая".encode() not in refused.content


def test_a_304_computed_on_a_miss_stores_the_answer_for_the_next_client(graphql, news, dispatches):
    """A CDN revalidating after its max-age is a miss here; the answer it already has is
    still stored for the clients that have not."""
    first = graphql.get(NEWS, {"slug": news.slug})
    caches[caching.RESPONSES_ALIAS].clear()
    revalidated = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    assert len(dispatches) == 2
    fresh = graphql.get(NEWS, {"slug": news.slug})
    assert len(dispatches) == 2  # stored by the 304's request
    assert fresh.content == first.content
    assert fresh["Content-Type"] == "application/json"


def test_a_304_from_the_stored_etag_has_no_body_and_the_answers_headers(graphql, news, dispatches):
    first = graphql.get(NEWS, {"slug": news.slug})
    again = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert len(dispatches) == 1
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]


def test_graphiql_is_still_shown_to_a_browser(graphql, news, settings, dispatches):
    settings.GRAPHIQL_ENABLED = True
    graphql.get(NEWS, {"slug": news.slug})
    page = graphql.client.get("/graphql/", {"query": NEWS}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert len(dispatches) == 2


def test_the_deploy_checks_require_the_middleware_after_the_security_one(settings):
    ours = "graphql_schema.middleware.CachedAnswerMiddleware"
    security = "django.middleware.security.SecurityMiddleware"
    assert not [m for m in run_checks() if m.id in ("graphql_schema.E002", "graphql_schema.E003")]

    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != ours]
    assert "graphql_schema.E002" in {m.id for m in run_checks()}

    settings.MIDDLEWARE = [ours, *settings.MIDDLEWARE]
    assert settings.MIDDLEWARE.index(security) > 0
    assert "graphql_schema.E003" in {m.id for m in run_checks()}


def test_answers_are_cached_under_a_script_prefix_too(news, dispatches):
    """Deployed under a sub-path (SCRIPT_NAME), reverse() gives the endpoint's path with
    the prefix, and path_info is without it."""
    from django.test import Client
    from django.urls import reverse, set_script_prefix

    client = Client()  # a new handler: its middleware finds the path anew
    params = {"query": NEWS, "variables": f'{{"slug": "{news.slug}"}}'}
    set_script_prefix("/api/")  # as Django's WSGI handler does for SCRIPT_NAME=/api
    try:
        assert reverse("graphql") == "/api/graphql/"
        first = client.get("/graphql/", params, SCRIPT_NAME="/api", HTTP_ACCEPT="application/json")
        second = client.get("/graphql/", params, SCRIPT_NAME="/api", HTTP_ACCEPT="application/json")
    finally:
        set_script_prefix("/")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert dispatches == ["GET"]
