"""The page tree rules editors work within, and what the CMS host does with a page URL."""

import pytest
from django.test import override_settings
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from pages import models
from tests import factories


class PageTreeRulesTest(WagtailPageTestCase):
    def test_home_sits_at_the_root_and_holds_the_sections(self):
        self.assertAllowedParentPageTypes(models.HomePage, {Page})
        self.assertAllowedSubpageTypes(
            models.HomePage,
            {
                models.NewsIndexPage,
                models.EnterpriseIndexPage,
                models.VideoIndexPage,
                models.AwardsPage,
            },
        )

    def test_each_section_holds_only_its_own_pages(self):
        self.assertAllowedSubpageTypes(models.NewsIndexPage, {models.NewsPage})
        self.assertAllowedSubpageTypes(models.EnterpriseIndexPage, {models.EnterprisePage})
        self.assertAllowedSubpageTypes(models.VideoIndexPage, {models.VideoSeriesPage})
        self.assertAllowedParentPageTypes(models.NewsPage, {models.NewsIndexPage})
        self.assertAllowedParentPageTypes(models.EnterprisePage, {models.EnterpriseIndexPage})
        self.assertAllowedParentPageTypes(models.VideoSeriesPage, {models.VideoIndexPage})

    def test_leaf_pages_have_no_children(self):
        for model in (models.NewsPage, models.EnterprisePage, models.VideoSeriesPage):
            self.assertAllowedSubpageTypes(model, set())


@override_settings(FRONTEND_URL="https://mosprom.example")
def test_a_page_url_on_the_cms_host_redirects_to_the_front_end(site_tree, client):
    factories.NewsPageFactory(parent=site_tree.news_index, slug="novost")
    response = client.get("/novosti/novost/")
    assert response.status_code == 302
    assert response["Location"] == "https://mosprom.example/novosti/novost/"


@pytest.mark.parametrize(
    "factory, errors",
    [
        (lambda: factories.NewsPageFactory.build(source_url="https://mos.ru/"), {"source_name"}),
        (lambda: factories.EnterprisePageFactory.build(latitude=55.7), {"longitude"}),
        (lambda: factories.EnterprisePageFactory.build(joined_year=2018), {"joined_year"}),
    ],
)
def test_editor_mistakes_get_clear_errors(site_tree, factory, errors):
    from django.core.exceptions import ValidationError

    page = factory()
    parent = (
        site_tree.news_index if isinstance(page, models.NewsPage) else site_tree.enterprise_index
    )
    with pytest.raises(ValidationError) as raised:
        parent.add_child(instance=page)
    assert errors <= set(raised.value.message_dict)
    assert not type(page).objects.filter(title=page.title).exists()
