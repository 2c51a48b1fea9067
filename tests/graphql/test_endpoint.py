"""The endpoint's limits, error masking and settings, seen from a client."""

import json

import pytest
from django.test import override_settings

from graphql_schema.schema import schema
from tests import factories


def errors_of(response) -> list[dict]:
    return response.json()["errors"]


@pytest.fixture
def some_news(site_tree):
    return [factories.NewsPageFactory(parent=site_tree.news_index) for _ in range(3)]


def test_get_serves_queries(graphql, some_news):
    response = graphql.get("{ newsList(first: 2) { totalCount edges { node { title } } } }")
    assert response.status_code == 200
    data = response.json()["data"]["newsList"]
    assert data["totalCount"] == 3
    assert len(data["edges"]) == 2


@pytest.mark.parametrize("first", [101, 1000, -1])
def test_page_size_outside_the_cap_is_an_error_not_a_cut(graphql, some_news, first):
    response = graphql.post("query($n: Int) { newsList(first: $n) { totalCount } }", {"n": first})
    (error,) = errors_of(response)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
    assert "100" in error["message"]


def test_the_cap_itself_is_allowed(graphql, some_news):
    data = graphql("{ newsList(first: 100) { totalCount } }")
    assert data["newsList"]["totalCount"] == 3


def test_badly_typed_argument_is_a_clear_error(graphql, some_news):
    response = graphql.post('{ newsList(dateFrom: "вчера") { totalCount } }')
    assert response.status_code == 400
    assert "Date" in errors_of(response)[0]["message"]


def test_invalid_filter_choice_is_invalid_input(graphql, site_tree):
    response = graphql.post('{ enterprises(kind: "fabrika") { totalCount } }')
    (error,) = errors_of(response)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "kind"}
    assert response.json()["data"] == {"enterprises": None}


def test_too_short_search_is_invalid_input(graphql, some_news):
    response = graphql.post('{ search(query: " а ") { totalCount } }')
    (error,) = errors_of(response)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "query"}


def test_standard_validation_still_applies(graphql, db):
    response = graphql.post("{ newsList { edges { node { noSuchField } } } }")
    assert response.status_code == 400
    assert "noSuchField" in errors_of(response)[0]["message"]


@override_settings(GRAPHQL_MAX_DEPTH=4)
def test_depth_limit(graphql, db):
    response = graphql.post(
        "{ newsList { edges { node { relatedEnterprises { logo { url } } } } } }"
    )
    assert response.status_code == 400
    (error,) = errors_of(response)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "глубина" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }",
        "{ ...Nope }",
        "fragment A on Query { industries { ...A } } { ...A }",
    ],
)
def test_malformed_fragments_are_refused_cleanly(graphql, db, query):
    response = graphql.post(query)
    assert response.status_code == 400
    assert errors_of(response)[0]["message"]
    assert "INTERNAL_ERROR" not in response.content.decode()


def test_fragment_fan_out_is_measured_once_per_fragment(graphql, db):
    """Nine levels of fragments spreading the next five times: 5**9 expansions if naive."""
    levels = 9
    fragments = [f"fragment F{levels} on Industry {{ name }}"]
    for level in range(levels - 1, -1, -1):
        spreads = " ".join(f"...F{level + 1}" for _ in range(5))
        fragments.append(f"fragment F{level} on Industry {{ {spreads} }}")
    query = " ".join(fragments) + " { industries { edges { node { ...F0 } } } }"
    response = graphql.post(query)
    assert response.status_code == 400
    assert errors_of(response)[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_cost_limit_stops_nested_lists(graphql, db):
    """Small on the wire, huge in the result: lists inside lists inside a page of 100."""
    query = """{ enterprises(first: 100) { edges { node {
        awards { enterprises { awards { enterprises { name } } } } } } } }"""
    response = graphql.post(query)
    assert response.status_code == 400
    (error,) = errors_of(response)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "объёма" in error["message"]


def test_a_full_page_of_cards_is_within_the_limits(graphql, db):
    from tests.graphql.test_lists_query_counts import ENTERPRISE_CARDS, NEWS_CARDS

    for query in (NEWS_CARDS, ENTERPRISE_CARDS):
        assert graphql.post(query).status_code == 200


@override_settings(GRAPHQL_MAX_ALIASES=3)
def test_alias_limit(graphql, db):
    query = "{ " + " ".join(f"a{i}: industries {{ totalCount }}" for i in range(4)) + " }"
    response = graphql.post(query)
    assert response.status_code == 400
    assert errors_of(response)[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


@override_settings(GRAPHQL_MAX_FIELDS=20)
def test_field_limit_counts_expanded_fragments(graphql, db):
    query = (
        "fragment F on Industry { id name slug } "
        "{ industries { edges { node { ...F ...F ...F ...F ...F ...F ...F ...F } } } }"
    )
    response = graphql.post(query)
    assert response.status_code == 400
    assert errors_of(response)[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


@override_settings(GRAPHQL_MAX_QUERY_BYTES=200)
def test_query_size_limit(graphql, db):
    response = graphql.post("{ industries { totalCount } }" + " " * 300)
    assert errors_of(response)[0]["extensions"]["code"] == "QUERY_TOO_LARGE"


@override_settings(GRAPHQL_MAX_TOKENS=50)
def test_token_limit(graphql, db):
    response = graphql.post("{ " + "industries { totalCount } " * 20 + "}")
    assert response.status_code == 400
    assert "token" in errors_of(response)[0]["message"].lower()


def test_batches_are_refused(client, db):
    body = json.dumps([{"query": "{ industries { totalCount } }"}] * 2)
    response = client.post("/graphql/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "batch" in response.content.decode().lower()


def test_invalid_json_is_a_400(client, db):
    response = client.post("/graphql/", data="{nope", content_type="application/json")
    assert response.status_code == 400


def test_unexpected_errors_are_masked_and_logged(graphql, site_tree, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret database detail")

    monkeypatch.setattr("pages.stats.live_counts", explode)
    response = graphql.post("{ projectStats { live { news } } }")
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "secret database detail" not in body
    assert errors_of(response)[0]["extensions"]["code"] == "INTERNAL_ERROR"
    assert "secret database detail" in caplog.text


def test_introspection_on_by_default(graphql, db):
    data = graphql("{ __schema { queryType { name } } }")
    assert data["__schema"]["queryType"]["name"] == "Query"


@override_settings(GRAPHQL_INTROSPECTION=False)
def test_introspection_can_be_turned_off_without_breaking_typename(graphql, db):
    response = graphql.post("{ __schema { queryType { name } } }")
    assert response.status_code == 400
    assert "introspection" in errors_of(response)[0]["message"].lower()
    assert graphql("{ industries { __typename } }") == {
        "industries": {"__typename": "IndustryConnection"}
    }


@override_settings(GRAPHQL_INTROSPECTION=False)
def test_no_field_suggestions_when_introspection_is_off(graphql, db):
    response = graphql.post("{ newsLis { totalCount } }")
    message = errors_of(response)[0]["message"]
    assert "newsLis" in message
    assert "Did you mean" not in message
    assert "newsList" not in message


def test_suggestions_help_when_introspection_is_on(graphql, db):
    response = graphql.post("{ newsLis { totalCount } }")
    assert "newsList" in errors_of(response)[0]["message"]


@override_settings(GRAPHIQL_ENABLED=True)
def test_graphiql_in_the_browser_when_enabled(client, db):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


@override_settings(GRAPHIQL_ENABLED=False)
def test_graphiql_off(client, db):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 400
    assert b"graphiql" not in response.content.lower()


def test_admin_session_does_not_follow_into_graphql(client, graphql, db, django_user_model):
    """A logged-in editor's cookie gives no CSRF token requirement and no identity."""
    user = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(user)
    enforcing = type(client)(enforce_csrf_checks=True)
    enforcing.cookies = client.cookies
    response = enforcing.post(
        "/graphql/",
        data=json.dumps({"query": "{ industries { totalCount } }"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"industries": {"totalCount": 0}}


def test_committed_schema_matches_the_code():
    from pathlib import Path

    committed = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
    assert committed.strip() == str(schema).strip(), (
        "schema.graphql is out of date: run "
        "`python manage.py graphql_schema --schema graphql_schema.schema.schema "
        "--out schema.graphql`"
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ('{ newsList(search: "а") { totalCount } }', "search"),
        ('{ enterprises(search: "' + "я" * 201 + '") { totalCount } }', "search"),
        ('{ newsList(after: "bm90LWEtY3Vyc29y") { totalCount } }', "after"),
        ('{ newsList(after: "YXJyYXljb25uZWN0aW9uOi01") { totalCount } }', "after"),
        ('{ newsList(offset: 2, after: "YXJyYXljb25uZWN0aW9uOjE=") { totalCount } }', "offset"),
        ("{ awards(year: 99999) { totalCount } }", "year"),
        ("{ newsList(last: 101) { totalCount } }", "last"),
    ],
)
def test_bad_arguments_are_invalid_input_not_internal_errors(graphql, some_news, query, field):
    response = graphql.post(query)
    (error,) = errors_of(response)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}


def test_search_without_first_is_capped(graphql, site_tree, settings):
    settings.GRAPHENE = {**settings.GRAPHENE, "RELAY_CONNECTION_MAX_LIMIT": 2}
    for _ in range(3):
        factories.NewsPageFactory(parent=site_tree.news_index, title="Про лифты")
    data = graphql('{ search(query: "лифты") { totalCount edges { cursor } } }')
    assert data["search"]["totalCount"] == 3
    assert len(data["search"]["edges"]) == 2


@override_settings(GRAPHQL_CORS_ALLOWED_ORIGINS=["https://mosprom.example"])
def test_cors_for_the_front_end_only(client, db):
    preflight = client.options(
        "/graphql/",
        HTTP_ORIGIN="https://mosprom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://mosprom.example"
    other = client.options("/graphql/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_requests_run_as_anonymous_even_with_an_admin_cookie(
    client, db, django_user_model, monkeypatch
):
    from wagtail.models import Site

    seen = []
    original = Site.find_for_request

    def spy(request):
        seen.append(request.user.is_authenticated)
        return original(request)

    monkeypatch.setattr(Site, "find_for_request", staticmethod(spy))
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.org", "pw"))
    client.post(
        "/graphql/",
        data=json.dumps({"query": "{ projectStats { live { news } } }"}),
        content_type="application/json",
    )
    assert seen and not any(seen)
