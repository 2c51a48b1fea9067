"""Reading content as a web or mobile client: details, filters, ordering, rich text."""

import datetime

import pytest
from wagtail.rich_text import RichText

from tests import factories


@pytest.fixture
def catalogue(db):
    return {
        "aviation": factories.IndustryFactory(name="Авиация", slug="aviaciya"),
        "food": factories.IndustryFactory(name="Пищевая промышленность", slug="pishchevaya"),
        "south": factories.DistrictFactory(name="Южный", slug="yuao", abbreviation="ЮАО"),
        "excursion": factories.EventFormatFactory(name="Очная экскурсия", slug="ekskursiya"),
    }


@pytest.fixture
def enterprise(site_tree, catalogue):
    page = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        title="ПАО «Ил»",
        slug="il",
        kind="enterprise",
        district=catalogue["south"],
        joined_year=2020,
        min_age=14,
        id_document_required=True,
        logo=factories.ImageFactory(),
        contact_email="internal@example.org",
        contact_name="Внутренний Контакт",
    )
    page.industries.add(catalogue["aviation"])
    page.formats.add(catalogue["excursion"])
    page.awards.add(factories.AwardFactory(title="Маршрут построен"))
    page.save()
    return page


def test_news_detail_with_typed_body_and_resolved_links(site_tree, enterprise, graphql):
    image = factories.ImageFactory(description="Цех сборки")
    link = f'<p>Подробнее о <a linktype="page" id="{enterprise.pk}">заводе</a>.</p>'
    news = factories.NewsPageFactory(
        parent=site_tree.news_index,
        slug="ekskursii-noyabr",
        source_name="mos.ru",
        source_url="https://www.mos.ru/news/",
        body=[
            ("paragraph", RichText(link)),
            ("heading", {"text": "Как попасть", "level": "h2"}),
            ("quote", {"text": "Приходите!", "speaker_name": "Анна", "speaker_position": "гид"}),
            ("image", {"image": image, "caption": "Сборка"}),
            ("video", {"url": "https://vk.com/video-1_1", "title": "", "caption": ""}),
            ("key_figure", {"value": "4 500+", "label": "посетителей", "description": ""}),
        ],
    )
    news.related_enterprises.add(enterprise)
    news.tags.add("экскурсии")
    news.save()

    data = graphql(
        """query($slug: String!) { news(slug: $slug) {
            title url sourceName sourceUrl tags
            relatedEnterprises { name url }
            body {
              __typename id blockType
              ... on ParagraphBlock { html }
              ... on HeadingBlock { text level }
              ... on QuoteBlock { text speakerName speakerPosition }
              ... on ImageBlock { caption image { alt rendition(size: HERO) { width } } }
              ... on VideoBlock { url }
              ... on KeyFigureBlock { value label }
            }
        } }""",
        {"slug": "ekskursii-noyabr"},
    )["news"]

    assert data["url"] == "/novosti/ekskursii-noyabr/"
    assert data["relatedEnterprises"] == [{"name": "ПАО «Ил»", "url": "/predpriyatiya/il/"}]
    assert data["tags"] == ["экскурсии"]
    types = [block["__typename"] for block in data["body"]]
    assert types == [
        "ParagraphBlock",
        "HeadingBlock",
        "QuoteBlock",
        "ImageBlock",
        "VideoBlock",
        "KeyFigureBlock",
    ]
    assert 'href="/predpriyatiya/il/"' in data["body"][0]["html"]
    assert "linktype" not in data["body"][0]["html"]
    assert data["body"][2]["speakerName"] == "Анна"
    assert data["body"][3]["image"]["alt"] == "Цех сборки"
    assert data["body"][5] == {
        "__typename": "KeyFigureBlock",
        "id": data["body"][5]["id"],
        "blockType": "key_figure",
        "value": "4 500+",
        "label": "посетителей",
    }


def test_enterprise_detail_hides_internal_contacts(enterprise, graphql):
    data = graphql(
        """{ enterprise(slug: "il") {
            name kind joinedYear url
            industries { slug } formats { slug } district { abbreviation }
            visitorRequirements { minAge idDocumentRequired }
            awards { title year }
            logo { url width height alt srcset(size: LOGO) }
        } }"""
    )["enterprise"]
    assert data["name"] == "ПАО «Ил»"
    assert data["kind"] == "ENTERPRISE"
    assert data["district"] == {"abbreviation": "ЮАО"}
    assert data["visitorRequirements"] == {"minAge": 14, "idDocumentRequired": True}
    assert data["awards"] == [{"title": "Маршрут построен", "year": 2023}]
    assert data["logo"]["url"].startswith("http://testserver/")
    assert data["logo"]["srcset"].count("w") >= 2

    response = graphql.post('{ enterprise(slug: "il") { contactEmail } }')
    assert response.status_code == 400
    assert "internal@example.org" not in response.content.decode()


def test_news_filters(site_tree, enterprise, catalogue, graphql):
    aviation_news = factories.NewsPageFactory(
        parent=site_tree.news_index, title="Про самолёты", date=datetime.date(2023, 11, 5)
    )
    aviation_news.industries.add(catalogue["aviation"])
    aviation_news.related_enterprises.add(enterprise)
    aviation_news.save()
    other = factories.NewsPageFactory(
        parent=site_tree.news_index, title="Про конфеты", date=datetime.date(2021, 4, 22)
    )
    other.industries.add(catalogue["food"])
    other.save()

    def titles(arguments):
        args = f"({arguments})" if arguments else ""
        data = graphql(f"{{ newsList{args} {{ edges {{ node {{ title }} }} }} }}")
        return [edge["node"]["title"] for edge in data["newsList"]["edges"]]

    assert titles("") == ["Про самолёты", "Про конфеты"]
    assert titles("orderBy: DATE_ASC") == ["Про конфеты", "Про самолёты"]
    assert titles('industry: "aviaciya"') == ["Про самолёты"]
    assert titles('enterprise: "il"') == ["Про самолёты"]
    assert titles('dateFrom: "2023-01-01"') == ["Про самолёты"]
    assert titles('dateTo: "2022-12-31"') == ["Про конфеты"]
    assert titles('dateFrom: "2024-01-01"') == []
    assert titles('search: "конфеты"') == ["Про конфеты"]


def test_enterprise_filters_and_ordering(site_tree, enterprise, catalogue, graphql):
    museum = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Музей", kind="museum", joined_year=2019
    )
    museum.industries.add(catalogue["food"])
    museum.save()
    factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        title="НЦК",
        kind="technopark",
        is_technopolis_resident=True,
    )

    def names(arguments):
        args = f"({arguments})" if arguments else ""
        data = graphql(f"{{ enterprises{args} {{ edges {{ node {{ name }} }} }} }}")
        return [edge["node"]["name"] for edge in data["enterprises"]["edges"]]

    assert names("") == ["Музей", "НЦК", "ПАО «Ил»"]
    assert names('industry: "aviaciya"') == ["ПАО «Ил»"]
    assert names('district: "yuao"') == ["ПАО «Ил»"]
    assert names('format: "ekskursiya"') == ["ПАО «Ил»"]
    assert names('kind: "museum"') == ["Музей"]
    assert names('kind: "MUSEUM"') == ["Музей"]  # as the kind enum prints it
    assert names("technopolisResident: true") == ["НЦК"]
    assert names("orderBy: JOINED_YEAR_DESC") == ["ПАО «Ил»", "Музей", "НЦК"]


def test_pagination_with_cursors(site_tree, graphql):
    for day in range(5):
        factories.NewsPageFactory(
            parent=site_tree.news_index,
            title=f"День {day}",
            date=datetime.date(2025, 11, 18) + datetime.timedelta(days=day),
        )
    first = graphql(
        "{ newsList(first: 2) { pageInfo { hasNextPage endCursor } edges { node { title } } } }"
    )
    cursor = first["newsList"]["pageInfo"]["endCursor"]
    second = graphql(
        "query($after: String) { newsList(first: 2, after: $after) {"
        " totalCount edges { node { title } } } }",
        {"after": cursor},
    )
    assert [e["node"]["title"] for e in first["newsList"]["edges"]] == ["День 4", "День 3"]
    assert [e["node"]["title"] for e in second["newsList"]["edges"]] == ["День 2", "День 1"]
    assert second["newsList"]["totalCount"] == 5


def test_page_by_url_path(site_tree, enterprise, graphql):
    data = graphql(
        """{
          home: page(urlPath: "/") { __typename title }
          section: page(urlPath: "/predpriyatiya") {
            __typename ... on EnterpriseIndexPage { intro }
          }
          detail: page(urlPath: "/predpriyatiya/il/") { __typename ... on Enterprise { name } }
          missing: page(urlPath: "/net-takoi/") { title }
        }"""
    )
    assert data["home"] == {"__typename": "HomePage", "title": "Открой#Моспром"}
    assert data["section"]["__typename"] == "EnterpriseIndexPage"
    assert data["detail"] == {"__typename": "Enterprise", "name": "ПАО «Ил»"}
    assert data["missing"] is None


def test_catalogue_and_current_season(catalogue, graphql):
    factories.SeasonFactory(
        name="Прошлый", start_date=datetime.date(2023, 11, 1), end_date=datetime.date(2023, 11, 24)
    )
    factories.SeasonFactory(
        name="Будущий", start_date=datetime.date(2099, 8, 5), end_date=datetime.date(2099, 8, 16)
    )
    data = graphql(
        """{ industries { totalCount edges { node { name slug } } }
             seasons { edges { node { name } } }
             currentSeason { name kind } }"""
    )
    assert data["industries"]["totalCount"] == 2
    assert [e["node"]["name"] for e in data["seasons"]["edges"]] == ["Будущий", "Прошлый"]
    assert data["currentSeason"] == {"name": "Будущий", "kind": "SEASON"}


def test_project_stats_show_stated_totals_beside_live_counts(site_tree, enterprise, graphql):
    from wagtail.models import Site

    from pages.models import ProgrammeSettings

    stated = ProgrammeSettings.for_site(Site.objects.get(is_default_site=True))
    stated.excursions_since_2019 = 2000
    stated.enterprises_total = 150
    stated.save()

    data = graphql(
        "{ projectStats { stated { excursionsSince2019 enterprisesTotal } live { enterprises } } }"
    )
    assert data["projectStats"] == {
        "stated": {"excursionsSince2019": 2000, "enterprisesTotal": 150},
        "live": {"enterprises": 1},
    }


def test_a_missing_image_file_leaves_the_page_readable(enterprise, graphql):
    enterprise.logo.file.storage.delete(enterprise.logo.file.name)
    data = graphql('{ enterprise(slug: "il") { name logo { url rendition(size: LOGO) { url } } } }')
    assert data["enterprise"]["name"] == "ПАО «Ил»"
    assert data["enterprise"]["logo"]["rendition"] is None
