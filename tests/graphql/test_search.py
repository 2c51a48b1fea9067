"""Search as a visitor types it, in Russian."""

import pytest

from tests import factories


@pytest.fixture
def pages(site_tree):
    factories.NewsPageFactory(
        parent=site_tree.news_index,
        title="Экскурсия на лифтовый завод",
        lead="Посетители увидели сборку кабин.",
    )
    factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        title="Мослифт",
        short_description="Лифты и лифтовое оборудование для Москвы.",
    )
    factories.VideoSeriesPageFactory(
        parent=site_tree.video_index,
        title="Рабочие династии",
        description="Сериал о семьях, которые поколениями работают на заводах.",
    )
    return site_tree


SEARCH = """query($q: String!) { search(query: $q) { totalCount edges { node {
  __typename ... on News { title } ... on Enterprise { name } ... on VideoSeries { title }
} } } }"""


def found(graphql, text):
    data = graphql(SEARCH, {"q": text})["search"]
    return {edge["node"]["__typename"] for edge in data["edges"]}


def test_search_finds_each_kind_of_page(pages, graphql):
    assert found(graphql, "Мослифт") == {"Enterprise"}
    assert found(graphql, "династии") == {"VideoSeries"}
    assert found(graphql, "сборку кабин") == {"News"}
    assert found(graphql, "космодром") == set()


@pytest.mark.postgres_only
def test_russian_stemming_on_postgresql(pages, graphql):
    """Other forms of a word find the page: «экскурсии» finds «Экскурсия», «лифтов» «Лифты»."""
    assert found(graphql, "экскурсии") == {"News"}
    assert "Enterprise" in found(graphql, "лифтов")
    assert found(graphql, "династия") == {"VideoSeries"}


NEWS_SEARCH = (
    """query($q: String!) { newsList(search: $q) { totalCount edges { node { title } } } }"""
)


@pytest.fixture
def hidden_matches_first(site_tree, monkeypatch):
    """More hidden matches than the hit cap (drafts, expired), then the visible ones."""
    from datetime import timedelta

    from django.utils import timezone

    from pages import search

    monkeypatch.setattr(search, "MAX_SEARCH_HITS", 5)
    for number in range(8):
        draft = factories.NewsPageFactory(
            parent=site_tree.news_index, title=f"Турбинный цех {number}"
        )
        if number % 2:
            draft.unpublish()
        else:
            draft.expire_at = timezone.now() - timedelta(days=1)
            draft.save()
    # Longer titles: a shorter text ranks higher, so every hidden match outranks these.
    return [
        factories.NewsPageFactory(
            parent=site_tree.news_index, title=f"Турбинный цех принял первых гостей {n}"
        ).title
        for n in range(3)
    ]


def test_hidden_matches_never_crowd_out_visible_ones(graphql, hidden_matches_first):
    news = graphql(NEWS_SEARCH, {"q": "турбинный цех"})["newsList"]
    assert {edge["node"]["title"] for edge in news["edges"]} == set(hidden_matches_first)
    pages = graphql(SEARCH, {"q": "турбинный цех"})["search"]
    assert {edge["node"]["title"] for edge in pages["edges"]} == set(hidden_matches_first)
