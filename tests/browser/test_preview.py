"""An editor previews unsaved changes: the admin sends the draft to the front end's preview.

The admin's preview redirects to ``PREVIEW_URL?token=…``, and the front end reads the
draft with GraphQL's ``preview(token)``. Here ``PREVIEW_URL`` is the development
preview page on the live server (``/dev-preview/``), itself a plain client of
``preview(token)``, so what the browser shows is what a front end would get; the test
then asks GraphQL with the same token, as a front end does. Nothing is saved and the
live page does not change.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from pages.models import NewsPage
from tests import factories
from tests.browser.wagtail_admin import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PREVIEW = """
query($token: String!) {
  preview(token: $token) { __typename title ... on News { lead } }
}
"""
NEWS = "query($slug: String!) { news(slug: $slug) { title lead } }"


def token_of(url: str) -> str:
    (token,) = parse_qs(urlsplit(url).query)["token"]
    return token


def test_preview_shows_the_unsaved_draft_and_leaves_the_live_page_alone(
    open_window, step, graphql_live, live_app, site_tree, editor, settings
):
    settings.DEV_PREVIEW_ENABLED = True
    settings.PREVIEW_URL = live_app.url + "/dev-preview/"
    news = factories.NewsPageFactory(
        parent=site_tree.news_index, title="Завод открыл двери", slug="zavod", lead="Было."
    )
    revisions = news.revisions.count()
    browser = open_window("editor")

    log_in(browser, *editor)
    browser.goto(f"/admin/pages/{site_tree.news_index.pk}/")
    browser.get_by_role("link", name="Завод открыл двери").first.click()
    browser.get_by_role("textbox", name="Заголовок").fill("Завод открыл двери школьникам")
    browser.get_by_role("textbox", name="Лид").fill("Стало: экскурсии по субботам.")
    step("unsaved changes")

    # The preview panel shows the front end's preview of the draft.
    browser.get_by_role("button", name="Переключить предварительный просмотр").click()
    panel = browser.get_by_role("complementary", name="Предпросмотр")
    shown = panel.frame_locator("iframe").last
    expect(shown.get_by_role("heading", level=1)).to_have_text("Завод открыл двери школьникам")
    expect(shown.locator("article")).to_contain_text("Стало: экскурсии по субботам.")
    step("preview panel")

    # «Предварительный просмотр в новой вкладке»: the redirect to PREVIEW_URL?token=…
    with browser.context.expect_page() as new_tab:
        panel.get_by_role("link", name="Предварительный просмотр в новой вкладке").click()
    tab = new_tab.value
    step.windows["preview"] = tab
    expect(tab.get_by_role("heading", level=1)).to_have_text("Завод открыл двери школьникам")
    assert tab.url.startswith(settings.PREVIEW_URL + "?token=")
    step("preview in a new tab")

    # A front end asks GraphQL with the token: the draft; the live page is unchanged.
    draft = graphql_live(PREVIEW, {"token": token_of(tab.url)})["preview"]
    assert draft == {
        "__typename": "News",
        "title": "Завод открыл двери школьникам",
        "lead": "Стало: экскурсии по субботам.",
    }
    live = graphql_live(NEWS, {"slug": "zavod"})["news"]
    assert live == {"title": "Завод открыл двери", "lead": "Было."}
    news = NewsPage.objects.get(pk=news.pk)
    assert (news.title, news.lead) == ("Завод открыл двери", "Было.")
    assert news.revisions.count() == revisions  # previewing saved nothing
