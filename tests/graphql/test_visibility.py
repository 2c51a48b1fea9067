"""Only live, public, unexpired pages and published snippets ever reach the API."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests import factories

EVERY_READ = """
query {
  newsList(first: 100) { totalCount edges { node { title relatedEnterprises { name } } } }
  enterprises(first: 100) { totalCount edges { node { name awards { title } } } }
  videoSeriesList(first: 100) { edges { node { title episodes { enterprises { name } } } } }
  awards(first: 100) { totalCount edges { node { title enterprises { name } } } }
  search(query: "секрет") { totalCount edges { node {
    ... on News { title } ... on Enterprise { name } ... on VideoSeries { title } } } }
  projectStats { live { enterprises news videoSeries awards } }
}
"""


@pytest.fixture
def hidden(site_tree):
    """One visible item of each kind beside every way an item can be hidden."""
    tree = site_tree
    visible_enterprise = factories.EnterprisePageFactory(
        parent=tree.enterprise_index, title="Открытый завод"
    )
    draft_enterprise = factories.EnterprisePageFactory(
        parent=tree.enterprise_index, title="Черновик секрет", live=False
    )
    expired_enterprise = factories.EnterprisePageFactory(
        parent=tree.enterprise_index,
        title="Истёкший секрет",
        expire_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    private_enterprise = factories.EnterprisePageFactory(
        parent=tree.enterprise_index, title="Закрытый паролем секрет"
    )
    PageViewRestriction.objects.create(
        page=private_enterprise, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    login_only_news = factories.NewsPageFactory(parent=tree.news_index, title="Для своих секрет")
    PageViewRestriction.objects.create(
        page=login_only_news, restriction_type=PageViewRestriction.LOGIN
    )
    edited = factories.NewsPageFactory(parent=tree.news_index, title="Опубликованный заголовок")

    published_award = factories.AwardFactory(title="Опубликованная премия")
    draft_award = factories.AwardFactory(title="Премия-черновик секрет", live=False)

    hidden_enterprises = [draft_enterprise, expired_enterprise, private_enterprise]
    for enterprise in [visible_enterprise, *hidden_enterprises]:
        enterprise.awards.add(published_award, draft_award)
        enterprise.save()
    for news in (edited, login_only_news):
        news.related_enterprises.add(visible_enterprise, *hidden_enterprises)
        news.save()
    series = factories.VideoSeriesPageFactory(parent=tree.video_index)
    episode = series.episodes.model.objects.create(
        page=series, number=1, title="Серия", video_url="https://vk.com/video-1_2"
    )
    episode.enterprises.add(visible_enterprise, *hidden_enterprises)
    episode.save()  # parental many-to-many changes are written on save

    # A live page whose newer revision is an unpublished draft: the live text stays.
    edited.save_revision().publish()
    edited.title = "Неопубликованная правка секрет"
    edited.save_revision()
    return tree


def test_no_query_reveals_hidden_content(hidden, graphql):
    data = graphql(EVERY_READ)

    assert "секрет" not in str(data).lower()
    assert [e["node"]["name"] for e in data["enterprises"]["edges"]] == ["Открытый завод"]
    assert data["enterprises"]["edges"][0]["node"]["awards"] == [{"title": "Опубликованная премия"}]
    news = [e["node"] for e in data["newsList"]["edges"]]
    assert news == [
        {"title": "Опубликованный заголовок", "relatedEnterprises": [{"name": "Открытый завод"}]}
    ]
    episode = data["videoSeriesList"]["edges"][0]["node"]["episodes"][0]
    assert episode["enterprises"] == [{"name": "Открытый завод"}]
    assert [e["node"]["title"] for e in data["awards"]["edges"]] == ["Опубликованная премия"]
    assert data["awards"]["edges"][0]["node"]["enterprises"] == [{"name": "Открытый завод"}]
    assert data["search"]["totalCount"] == 0
    assert data["projectStats"]["live"] == {
        "enterprises": 1,
        "news": 1,
        "videoSeries": 1,
        "awards": 1,
    }


@pytest.mark.parametrize(
    "title",
    ["Черновик секрет", "Истёкший секрет", "Закрытый паролем секрет"],
)
def test_hidden_enterprise_is_not_found_by_slug_or_path(hidden, graphql, title):
    from pages.models import EnterprisePage

    page = EnterprisePage.objects.get(title=title)
    data = graphql(
        "query($slug: String!, $path: String!) {"
        " enterprise(slug: $slug) { name } page(urlPath: $path) { title } }",
        {"slug": page.slug, "path": f"/predpriyatiya/{page.slug}/"},
    )
    assert data == {"enterprise": None, "page": None}


def test_restricted_news_is_not_found_by_slug(hidden, graphql):
    from pages.models import NewsPage

    page = NewsPage.objects.get(title="Для своих секрет")
    data = graphql("query($s: String!) { news(slug: $s) { title } }", {"s": page.slug})
    assert data == {"news": None}


def test_unpublished_revision_is_not_served(hidden, graphql):
    from pages.models import NewsPage

    page = NewsPage.objects.get(title="Опубликованный заголовок")
    data = graphql("query($s: String!) { news(slug: $s) { title } }", {"s": page.slug})
    assert data == {"news": {"title": "Опубликованный заголовок"}}


def test_children_of_a_restricted_section_are_hidden(site_tree, graphql):
    factories.NewsPageFactory(parent=site_tree.news_index, title="Новость в закрытом разделе")
    PageViewRestriction.objects.create(
        page=site_tree.news_index, restriction_type=PageViewRestriction.LOGIN
    )
    data = graphql("{ newsList { totalCount } }")
    assert data == {"newsList": {"totalCount": 0}}


def test_search_finds_the_visible_twin_only(hidden, graphql):
    """A positive control for the search part of the leak test above."""
    factories.NewsPageFactory(parent=hidden.news_index, title="Открытый секрет завода")
    data = graphql(
        'query { search(query: "секрет") { totalCount edges { node { ... on News { title } } } } }'
    )
    assert data["search"]["totalCount"] == 1
    assert data["search"]["edges"][0]["node"]["title"] == "Открытый секрет завода"


def test_rich_text_links_to_hidden_pages_lose_their_href(hidden, graphql):
    from wagtail.rich_text import RichText

    from pages.models import EnterprisePage

    draft = EnterprisePage.objects.get(title="Черновик секрет")
    visible = EnterprisePage.objects.get(title="Открытый завод")
    body = (
        f'<p><a linktype="page" id="{draft.pk}">черновик</a> и '
        f'<a linktype="page" id="{visible.pk}">открытый</a></p>'
    )
    factories.NewsPageFactory(
        parent=hidden.news_index, slug="so-ssylkami", body=[("paragraph", RichText(body))]
    )
    data = graphql('{ news(slug: "so-ssylkami") { body { ... on ParagraphBlock { html } } } }')
    html = data["news"]["body"][0]["html"]
    assert draft.slug not in html
    assert "<a>черновик</a>" in html
    assert f'href="/predpriyatiya/{visible.slug}/"' in html


def test_expired_award_is_hidden(site_tree, graphql):
    factories.AwardFactory(title="Действующая")
    factories.AwardFactory(
        title="Истёкшая", expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    data = graphql("{ awards { edges { node { title } } } projectStats { live { awards } } }")
    assert [e["node"]["title"] for e in data["awards"]["edges"]] == ["Действующая"]
    assert data["projectStats"]["live"]["awards"] == 1


def test_filtering_by_a_hidden_enterprise_slug_reveals_nothing(hidden, graphql):
    from pages.models import EnterprisePage

    draft = EnterprisePage.objects.get(title="Черновик секрет")
    data = graphql(
        "query($s: String!) { newsList(enterprise: $s) { totalCount } }", {"s": draft.slug}
    )
    assert data == {"newsList": {"totalCount": 0}}


def test_internal_contacts_are_in_no_type(graphql, db):
    data = graphql("{ __schema { types { name fields { name } } } }")
    names = {
        field["name"].lower()
        for type_ in data["__schema"]["types"]
        for field in type_["fields"] or []
    }
    assert not {name for name in names if name.startswith("contact")}


def test_one_answer_reads_the_private_sections_once(hidden, graphql):
    """Every list and related list of an answer hides the same private sections, read
    in one query; the next answer reads them again (a restriction added meanwhile counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        data = graphql(EVERY_READ)
    restriction_reads = [
        q for q in captured.captured_queries if '"wagtailcore_pageviewrestriction"' in q["sql"]
    ]
    assert len(restriction_reads) == 1
    assert "секрет" not in str(data).lower()

    from pages.models import EnterprisePage

    PageViewRestriction.objects.create(
        page=EnterprisePage.objects.get(title="Открытый завод"),
        restriction_type=PageViewRestriction.LOGIN,
    )
    data = graphql(EVERY_READ)
    assert data["enterprises"]["edges"] == []
    assert data["newsList"]["edges"][0]["node"]["relatedEnterprises"] == []
