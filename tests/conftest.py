import json
from dataclasses import dataclass

import pytest
from django.test import Client
from wagtail.models import Page, Site

from tests import factories


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches (rate-limit counters, Wagtail's site paths…)."""
    from django.core.cache import caches

    from graphql_schema import persisted

    for cache in caches.all():
        cache.clear()
    persisted.forget_local()  # a query registered by one test is unknown to the next


@dataclass
class SiteTree:
    home: object
    news_index: object
    enterprise_index: object
    video_index: object
    awards_page: object


@pytest.fixture
def site_tree(db) -> SiteTree:
    """The programme's page tree as the default site, with empty sections."""
    root = Page.get_first_root_node()
    home = factories.HomePageFactory(parent=root, slug="open-mosprom")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return SiteTree(
        home=home,
        news_index=factories.NewsIndexPageFactory(parent=home),
        enterprise_index=factories.EnterpriseIndexPageFactory(parent=home),
        video_index=factories.VideoIndexPageFactory(parent=home),
        awards_page=factories.AwardsPageFactory(parent=home),
    )


class GraphQLClient:
    """Posts GraphQL documents to /graphql/ as a web or mobile client would."""

    def __init__(self, client: Client):
        self.client = client

    def post(self, query: str, variables: dict | None = None, **extra):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.client.post(
            "/graphql/", data=json.dumps(body), content_type="application/json", **extra
        )

    def get(self, query: str, variables: dict | None = None, **extra):
        params = {"query": query}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        return self.client.get("/graphql/", params, HTTP_ACCEPT="application/json", **extra)

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        """Run a query that must succeed; return its ``data``."""
        response = self.post(query, variables)
        payload = response.json()
        assert response.status_code == 200, payload
        assert "errors" not in payload, payload["errors"]
        return payload["data"]


@pytest.fixture
def graphql(client) -> GraphQLClient:
    return GraphQLClient(client)


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``postgres_only`` when the suite runs on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there too)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
