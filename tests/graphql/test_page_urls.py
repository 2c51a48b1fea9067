"""Page URLs in answers are exactly the paths Wagtail itself would give the front end."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page, Site

from graphql_schema.core.pages import page_path
from tests import factories


@pytest.fixture
def request_for_site():
    return RequestFactory().get("/graphql/")


def test_same_path_as_wagtail_for_every_kind_of_page(site_tree, request_for_site):
    pages = [
        site_tree.home,
        site_tree.news_index,
        factories.NewsPageFactory(parent=site_tree.news_index, slug="zavod-otkryl-dveri"),
        # Unicode slugs are allowed (WAGTAIL_ALLOW_UNICODE_SLUGS): percent-encoded alike.
        factories.NewsPageFactory(parent=site_tree.news_index, slug="экскурсия-на-завод"),
        factories.EnterprisePageFactory(parent=site_tree.enterprise_index, slug="zil_2"),
    ]
    for page in pages:
        expected = page.path_on_site(RequestFactory().get("/graphql/"))
        assert page_path(page, request_for_site) == expected, page.url_path
    assert page_path(site_tree.home, request_for_site) == "/"
    assert "%D1%8D" in page_path(pages[3], request_for_site)


def test_page_outside_every_site_has_no_path(site_tree, request_for_site):
    orphan_parent = factories.NewsIndexPageFactory(parent=Page.get_first_root_node(), slug="x")
    orphan = factories.NewsPageFactory(parent=orphan_parent)
    assert orphan.path_on_site(RequestFactory().get("/")) is None
    assert page_path(orphan, request_for_site) is None


def test_page_in_two_sites_takes_wagtails_own_way(site_tree, request_for_site):
    # A second site rooted inside the first: its pages belong to both.
    Site.objects.create(hostname="news.example", root_page=site_tree.news_index)
    news = factories.NewsPageFactory(parent=site_tree.news_index, slug="dve-ploshchadki")
    expected = news.path_on_site(RequestFactory().get("/graphql/"))
    assert page_path(news, RequestFactory().get("/graphql/")) == expected
