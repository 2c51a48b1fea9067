"""Hostile input gets a clear error, a 4xx and a JSON body; it never crashes the server."""
# ruff: noqa: UP031 - raw JSON text is built by hand to send what json.dumps cannot

import json

import pytest
from django.db import OperationalError

from booking.models import Registration
from tests import factories


def assert_refused(response, status=400, code="INVALID_INPUT"):
    """A JSON answer with the status and error code, and no server error."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    if status is not None:
        assert response.status_code == status, body
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    assert "INTERNAL_ERROR" not in codes
    if code is not None:
        assert code in codes, body
    return body


def post_raw(client, body: bytes | str, content_type="application/json"):
    return client.generic("POST", "/graphql/", body, content_type=content_type)


@pytest.mark.parametrize("field", ["enterprises", "newsList"])
def test_order_by_null_means_the_default_order(site_tree, graphql, field):
    data = graphql(f"{{ {field}(orderBy: null) {{ totalCount }} }}")
    assert data[field]["totalCount"] == 0


@pytest.mark.parametrize(
    "query",
    [
        '{ news(slug: "a\\u0000b") { title } }',
        '{ enterprise(slug: "\\u0000") { name } }',
        '{ videoSeries(slug: "x\\u0000") { title } }',
        '{ page(urlPath: "/novosti/\\u0000/") { title } }',
    ],
)
def test_nul_bytes_in_literals_are_invalid_input(site_tree, graphql, query):
    assert_refused(graphql.post(query))


def test_nul_bytes_and_lone_surrogates_in_variables_are_invalid_input(site_tree, client):
    query = "query($s: String!) { news(slug: $s) { title } }"
    for raw in ('"a\\u0000"', '"\\ud800"', '"x\\udfff y"'):
        body = '{"query": "%s", "variables": {"s": %s}}' % (query, raw)
        assert_refused(post_raw(client, body))


def test_a_lone_surrogate_in_a_mutation_changes_nothing(site_tree, client):
    session = factories.TourSessionFactory(
        enterprise=factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    )
    query = (
        "mutation($i: RegisterForSessionInput!) { registerForSession(input: $i) "
        "{ errors { code } } }"
    )
    variables = (
        '{"i": {"sessionId": "%d", "name": "\\ud800 Иван", "email": "a@example.org", '
        '"phone": "+79001112233", "seats": 1, "consentToProcessing": true, '
        '"consentToTransfer": true}}' % session.pk
    )
    assert_refused(post_raw(client, '{"query": "%s", "variables": %s}' % (query, variables)))
    assert not Registration.objects.exists()


@pytest.mark.parametrize("session_id", ["²", "١٢", "99999999999999999999", "-1", "0"])
def test_unusual_ids_find_nothing(site_tree, graphql, session_id):
    data = graphql("query($id: ID!) { session(id: $id) { id } }", {"id": session_id})
    assert data == {"session": None}
    mutation = """mutation($i: RegisterForSessionInput!) { registerForSession(input: $i) {
      errors { code field } } }"""
    variables = {
        "i": {
            "sessionId": session_id,
            "name": "Иван Петров",
            "email": "ivan@example.org",
            "phone": "+79001112233",
            "seats": 1,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
    }
    errors = graphql(mutation, variables)["registerForSession"]["errors"]
    assert errors == [{"code": "NOT_FOUND", "field": "sessionId"}]


def test_deeply_nested_json_is_a_json_400(db, client):
    deep = "[" * 15_000 + "]" * 15_000
    assert_refused(post_raw(client, deep), code=None)
    assert_refused(
        post_raw(client, '{"query": "{ industries { totalCount } }", "x": %s}' % deep), code=None
    )
    body = '{"query": "{ industries { totalCount } }", "variables": %s}' % (
        '{"a":' * 15_000 + "1" + "}" * 15_000
    )
    assert_refused(post_raw(client, body), code=None)
    response = client.get(
        "/graphql/",
        {"query": "{ industries { totalCount } }", "variables": "[" * 15_000 + "]" * 15_000},
        HTTP_ACCEPT="application/json",
    )
    assert_refused(response, code=None)


def test_variables_nested_past_any_real_query_are_invalid_input(db, client):
    variables = '{"a":' * 50 + "1" + "}" * 50
    body = '{"query": "{ industries { totalCount } }", "variables": %s}' % variables
    assert_refused(post_raw(client, body))


@pytest.mark.parametrize("content_type", ["application/graphql", "application/json"])
def test_invalid_utf8_is_a_json_400(db, client, content_type):
    assert_refused(
        post_raw(client, b"{ industries \xff\xfe { totalCount } }", content_type), code=None
    )


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_bodies_a_cross_site_form_can_send_are_refused(site_tree, client, content_type):
    """Form encodings and text/plain need no CORS preflight: no mutation runs from them."""
    body = 'query=mutation { cancelRegistration(token: "x") { errors { code } } }'
    response = post_raw(client, body, content_type)
    assert_refused(response, status=415, code=None)


def test_a_get_body_is_never_read(site_tree, client):
    """The URL alone decides a GET's answer, which caches then store (no "fat GET")."""
    response = client.generic(
        "GET",
        "/graphql/?query=" + "{ industries { totalCount } }",
        json.dumps({"query": "{ districts { totalCount } }"}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"industries": {"totalCount": 0}}


@pytest.mark.parametrize("text", ['"""', '"', "   ", "", "''", "*", "(", "-"])
def test_search_text_without_words_is_an_error_everywhere(site_tree, graphql, text):
    for query in (
        "query($q: String!) { newsList(search: $q) { totalCount } }",
        "query($q: String!) { enterprises(search: $q) { totalCount } }",
        "query($q: String!) { search(query: $q) { totalCount } }",
    ):
        # An argument a field refuses: 200 with the error at its path, as GraphQL does.
        assert_refused(graphql.post(query, {"q": text}), status=None)


def test_search_punctuation_is_ignored_not_a_syntax_error(site_tree, graphql):
    factories.NewsPageFactory(parent=site_tree.news_index, title="Экскурсия на завод")
    for text in ('"экскурсия', 'экскурсия" OR "', "экскурсия*", "(экскурсия)", "экскурсия -"):
        data = graphql("query($q: String!) { newsList(search: $q) { totalCount } }", {"q": text})
        assert data["newsList"]["totalCount"] >= 0


def test_operation_name_must_be_text(db, client):
    body = json.dumps({"query": "{ industries { totalCount } }", "operationName": 5})
    assert_refused(post_raw(client, body), code=None)


@pytest.mark.parametrize(
    "failure, status, code",
    [
        (RuntimeError("secret detail"), 500, "INTERNAL_ERROR"),
        (OperationalError("connection refused, secret detail"), 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_server_side_failures_answer_5xx_masked(
    site_tree, graphql, monkeypatch, failure, status, code
):
    """Monitoring counts server errors; a database outage says when to retry."""
    from catalogue.models import Season

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(type(Season.objects), "current", fail)
    response = graphql.post("{ currentSeason { name } }")
    body = response.json()
    assert response.status_code == status
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert "secret" not in response.content.decode()
    assert ("Retry-After" in response) is (status == 503)
