"""Automatic persisted queries (Apollo's protocol) and the allow-list mode."""

import hashlib
import json

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from graphql_schema import persisted
from tests import factories

NEWS = "query($slug: String!) { news(slug: $slug) { title } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def extensions(digest: str, version=1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, title="Завод открыл двери")


def post(client, body: dict):
    return client.post("/graphql/", data=json.dumps(body), content_type="application/json")


def get(client, params: dict, **extra):
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return client.get("/graphql/", encoded, HTTP_ACCEPT="application/json", **extra)


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


def test_an_unknown_hash_asks_for_the_query_as_apollo_clients_expect(client, news):
    response = get(client, {"extensions": extensions(sha(NEWS)), "variables": {"slug": news.slug}})
    payload = response.json()
    assert payload["errors"][0]["message"] == "PersistedQueryNotFound"
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "no-store" in response["Cache-Control"]  # the retry must reach the server


def test_a_query_sent_with_its_hash_is_registered_for_hash_only_requests(client, news):
    variables = {"slug": news.slug}
    first = post(
        client, {"query": NEWS, "variables": variables, "extensions": extensions(sha(NEWS))}
    )
    assert first.json()["data"]["news"]["title"] == "Завод открыл двери"

    by_post = post(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    by_get = get(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    assert by_post.json()["data"] == first.json()["data"]
    assert by_get.status_code == 200
    assert by_get.json()["data"] == first.json()["data"]
    # Kept in the shared cache, so every worker process knows it.
    assert caches["default"].get(f"graphql:apq:{sha(NEWS)}") == NEWS
    persisted.forget_local()
    again = get(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    assert again.json()["data"] == first.json()["data"]


def test_a_hash_only_get_is_answered_from_the_response_cache(
    client, news, django_assert_num_queries
):
    variables = {"slug": news.slug}
    post(client, {"query": NEWS, "variables": variables, "extensions": extensions(sha(NEWS))})
    first = get(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    with django_assert_num_queries(1):  # the content version only
        second = get(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    # The full text shares the entry: the key is the query's hash either way.
    with django_assert_num_queries(1):
        by_text = get(client, {"query": NEWS, "variables": variables})
    assert by_text.content == first.content


def test_a_hash_that_is_not_the_querys_is_refused_and_nothing_is_registered(client, news):
    wrong = sha("{ __typename }")
    response = post(
        client, {"query": NEWS, "variables": {"slug": news.slug}, "extensions": extensions(wrong)}
    )
    assert codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert "data" not in response.json()
    later = post(client, {"variables": {"slug": news.slug}, "extensions": extensions(wrong)})
    assert codes(later) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_an_invalid_query_is_never_registered(client, db):
    bad = "{ newsList { nope } }"
    response = post(client, {"query": bad, "extensions": extensions(sha(bad))})
    assert response.status_code == 400
    assert codes(post(client, {"extensions": extensions(sha(bad))})) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]
    assert caches["default"].get(f"graphql:apq:{sha(bad)}") is None


@pytest.mark.parametrize(
    "extension, code",
    [
        (
            {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
            "PERSISTED_QUERY_UNSUPPORTED_VERSION",
        ),
        ({"persistedQuery": {"version": 1, "sha256Hash": "XYZ"}}, "INVALID_INPUT"),
        ({"persistedQuery": {"version": 1}}, "INVALID_INPUT"),
        ({"persistedQuery": "yes"}, "PERSISTED_QUERY_UNSUPPORTED_VERSION"),
        ("not an object", "INVALID_INPUT"),
    ],
)
def test_malformed_persisted_query_extensions_are_clear_errors(client, db, extension, code):
    response = post(client, {"extensions": extension})
    assert response.status_code == 400
    assert codes(response) == [code]


def test_a_mutation_by_hash_is_still_refused_over_get(client, db):
    mutation = 'mutation { cancelRegistration(token: "x") { ok } }'
    digest = sha(mutation)
    caches["default"].set(f"graphql:apq:{digest}", mutation)
    response = get(client, {"extensions": extensions(digest)})
    assert response.status_code == 405


# --- the allow-list -----------------------------------------------------------------


@pytest.fixture
def allow_list(tmp_path, settings):
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha(NEWS), "name": "News", "type": "query", "body": NEWS}],
    }
    path = tmp_path / "persisted-queries.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    settings.GRAPHQL_ALLOWED_QUERIES_FILE = str(path)
    return path


def test_allow_list_runs_listed_queries_by_text_or_hash(client, news, allow_list):
    variables = {"slug": news.slug}
    by_text = post(client, {"query": NEWS, "variables": variables})
    by_hash = get(client, {"variables": variables, "extensions": extensions(sha(NEWS))})
    assert by_text.json()["data"]["news"]["title"] == "Завод открыл двери"
    assert by_hash.json()["data"] == by_text.json()["data"]


def test_allow_list_refuses_everything_else(client, news, allow_list):
    other = "{ newsList(first: 1) { totalCount } }"
    assert codes(post(client, {"query": other})) == ["QUERY_NOT_IN_SAFELIST"]
    with_hash = post(client, {"query": other, "extensions": extensions(sha(other))})
    assert codes(with_hash) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    # Nothing was registered by trying.
    assert codes(post(client, {"extensions": extensions(sha(other))})) == [
        "PERSISTED_QUERY_NOT_IN_LIST"
    ]


def test_a_manifest_whose_ids_are_not_the_hashes_is_a_configuration_error(tmp_path, settings):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"operations": [{"id": "0" * 64, "body": NEWS}]}), "utf-8")
    settings.GRAPHQL_ALLOWED_QUERIES_FILE = str(path)
    with pytest.raises(ImproperlyConfigured):
        persisted.allow_list()


def test_a_broken_allow_list_fails_the_deploy_checks(tmp_path, settings):
    from graphql_schema.apps import check_allowed_queries

    settings.GRAPHQL_ALLOWED_QUERIES_FILE = str(tmp_path / "missing.json")
    assert [e.id for e in check_allowed_queries()] == ["graphql_schema.E001"]
    settings.GRAPHQL_ALLOWED_QUERIES_FILE = ""
    assert check_allowed_queries() == []
