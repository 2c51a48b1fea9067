"""A programme editor writes a news item in the admin, publishes it and corrects it.

Through the real editor UI (chooser modals, the StreamField, Draftail), and then through
the door clients use: a GraphQL POST to the live server shows each published version
at once.
"""

import re

import pytest
from playwright.sync_api import expect

from pages.models import NewsPage
from tests import factories
from tests.browser.wagtail_admin import log_in, publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEWS = """
query($slug: String!) {
  news(slug: $slug) {
    title lead
    heroImage { id title }
    body {
      __typename
      ... on QuoteBlock { text speakerName speakerPosition }
      ... on ParagraphBlock { html }
    }
  }
}
"""
NEWS_LIST = "{ newsList(first: 10) { edges { node { title } } } }"


def test_editor_writes_publishes_and_corrects_a_news_item(
    open_window, step, graphql_live, site_tree, editor
):
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Мослифт", slug="moslift"
    )
    image = factories.ImageFactory(title="Сборочный цех Мослифта")
    browser = open_window("editor")

    log_in(browser, *editor)
    browser.goto(f"/admin/pages/{site_tree.news_index.pk}/")
    browser.get_by_role("link", name="Добавить дочернюю страницу").click()
    expect(browser.get_by_role("heading", name="Новый: Новость")).to_be_visible()
    step("new news form")

    browser.get_by_role("textbox", name="Заголовок").fill("Мослифт открыл цех для гостей")
    browser.get_by_role("textbox", name="Лид").fill("Экскурсии по сборочному цеху начнутся в мае.")

    hero = browser.get_by_role("region", name="Главное изображение")
    hero.get_by_role("button", name="Выберите изображение").click()
    chooser = browser.get_by_role("dialog")
    chooser.get_by_role("link", name=image.title).click()
    expect(chooser).to_be_hidden()
    expect(hero.get_by_text(image.title)).to_be_visible()
    step("hero image chosen")

    body = browser.get_by_role("region", name="Текст")
    body.get_by_role("button", name="Вставить блок").first.click()
    browser.get_by_role("option", name="Цитата").click()
    quote = body.get_by_role("region", name="Цитата")
    quote.get_by_role("textbox", name="Цитата").fill("Мы рады показать, как делают лифты.")
    quote.get_by_role("textbox", name="Кто сказал").fill("Ирина Орлова")
    quote.get_by_role("textbox", name="Должность").fill("директор по производству")

    body.get_by_role("button", name="Вставить блок").last.click()
    browser.get_by_role("option", name="Абзац").click()
    paragraph = body.get_by_role("region", name="Абзац").get_by_role("textbox")
    paragraph.fill("Запись на сайте предприятия")
    paragraph.press("Shift+Control+ArrowLeft")  # selects «предприятия»
    body.get_by_role("button", name="Ссылка").click()
    chooser = browser.get_by_role("dialog")
    chooser.get_by_role("row", name="Открой#Моспром").get_by_role("link", name="Обзор").click()
    chooser.get_by_role("row", name="Предприятия").get_by_role("link", name="Обзор").click()
    chooser.get_by_role("link", name="Мослифт").click()
    expect(chooser).to_be_hidden()
    expect(paragraph.get_by_role("button", name="предприятия")).to_be_visible()
    # Draftail writes its content to the form's hidden input a moment after a change:
    # publishing before that would save the paragraph without its link.
    browser.wait_for_function(
        """() => [...document.querySelectorAll('input[type="hidden"]')]
            .some((input) => input.value.includes('"LINK"'))"""
    )
    step("quote and linked paragraph")

    publish(browser)
    expect(browser.get_by_role("status")).to_contain_text(
        "Страница 'Мослифт открыл цех для гостей' создана и опубликована"
    )
    step("published")

    news = NewsPage.objects.get(title="Мослифт открыл цех для гостей")
    assert news.live and news.get_parent().pk == site_tree.news_index.pk
    data = graphql_live(NEWS, {"slug": news.slug})["news"]
    assert data["title"] == "Мослифт открыл цех для гостей"
    assert data["lead"] == "Экскурсии по сборочному цеху начнутся в мае."
    assert data["heroImage"] == {"id": str(image.pk), "title": image.title}
    quote_block, paragraph_block = data["body"]
    assert quote_block == {
        "__typename": "QuoteBlock",
        "text": "Мы рады показать, как делают лифты.",
        "speakerName": "Ирина Орлова",
        "speakerPosition": "директор по производству",
    }
    assert paragraph_block["__typename"] == "ParagraphBlock"
    assert re.search(
        rf'<a href="[^"]*{enterprise.slug}/">предприятия</a>', paragraph_block["html"]
    ), paragraph_block["html"]
    titles = [e["node"]["title"] for e in graphql_live(NEWS_LIST)["newsList"]["edges"]]
    assert titles == ["Мослифт открыл цех для гостей"]

    # A correction: open it from the section's listing, retitle it, publish again.
    browser.get_by_role("link", name="Мослифт открыл цех для гостей").first.click()
    title = browser.get_by_role("textbox", name="Заголовок")
    expect(title).to_have_value("Мослифт открыл цех для гостей")
    title.fill("Мослифт открыл сборочный цех для гостей")
    step("title corrected")
    publish(browser)
    expect(browser.get_by_role("status")).to_contain_text(
        "Страница 'Мослифт открыл сборочный цех для гостей' опубликована"
    )
    step("published again")

    news.refresh_from_db()
    assert news.title == "Мослифт открыл сборочный цех для гостей"
    assert graphql_live(NEWS, {"slug": news.slug})["news"]["title"] == news.title
    titles = [e["node"]["title"] for e in graphql_live(NEWS_LIST)["newsList"]["edges"]]
    assert titles == ["Мослифт открыл сборочный цех для гостей"]
