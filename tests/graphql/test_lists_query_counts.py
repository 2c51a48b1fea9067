"""Every list answers in a number of SQL queries that does not grow with its length."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Season
from pages.models import VideoEpisode
from quests.models import PointsEntry, PrizeClaim, Quiz, SessionGate
from tests import factories
from tests.factories import quests as quest_factories

IMAGE_FIELDS = "url alt width height rendition(size: CARD) { url width height } srcset(size: CARD)"

NEWS_CARDS = f"""
query {{
  newsList(first: 100) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{
      id title slug url date lead firstPublishedAt seoTitle
      heroImage {{ {IMAGE_FIELDS} }}
      industries {{ name slug }}
      tags
      relatedEnterprises {{ name slug url logo {{ {IMAGE_FIELDS} }} }}
    }} }}
  }}
}}
"""

ENTERPRISE_CARDS = f"""
query {{
  enterprises(first: 100) {{
    totalCount
    edges {{ node {{
      id name slug url shortDescription kind joinedYear isTechnopolisResident
      logo {{ {IMAGE_FIELDS} }}
      coverImage {{ {IMAGE_FIELDS} }}
      industries {{ name slug }}
      formats {{ name slug }}
      district {{ name abbreviation }}
      coordinates {{ latitude longitude }}
      visitorRequirements {{ minAge idDocumentRequired }}
      awards {{ title year image {{ {IMAGE_FIELDS} }} }}
      gallery {{ caption image {{ {IMAGE_FIELDS} }} }}
      upcomingSessions {{ id startsAt seatsLeft registrationOpen format {{ name }} }}
    }} }}
  }}
}}
"""

VIDEO_CARDS = f"""
query {{
  videoSeriesList(first: 20) {{
    totalCount
    edges {{ node {{
      id title slug url description platform
      coverImage {{ {IMAGE_FIELDS} }}
      episodes {{ number title videoUrl enterprises {{ name slug logo {{ {IMAGE_FIELDS} }} }} }}
    }} }}
  }}
}}
"""

AWARD_CARDS = f"""
query {{
  awards(first: 100) {{
    totalCount
    edges {{ node {{
      id title nomination place year organiser
      image {{ {IMAGE_FIELDS} }}
      enterprises {{ name slug logo {{ {IMAGE_FIELDS} }} }}
    }} }}
  }}
}}
"""

SESSION_CARDS = f"""
query {{
  sessions(first: 100) {{
    totalCount
    edges {{ node {{
      id title startsAt endsAt capacity seatsLeft minAge audiences
      registrationOpen registrationClosesAt waitlistOpen status
      format {{ name }} season {{ name }}
      enterprise {{ name slug url logo {{ {IMAGE_FIELDS} }} industries {{ name }} }}
    }} }}
  }}
}}
"""

CATALOGUE_LISTS = """
query {
  industries(first: 100) { totalCount edges { node { id name slug } } }
  districts(first: 100) { totalCount edges { node { id name slug abbreviation } } }
  formats(first: 100) { totalCount edges { node { id name slug isOnline } } }
  seasons(first: 100) { totalCount edges { node { id name kind startDate endDate } } }
}
"""

SEARCH_CARDS = f"""
query {{
  search(query: "завод", first: 100) {{
    totalCount
    edges {{ node {{
      __typename
      ... on News {{ title url heroImage {{ {IMAGE_FIELDS} }} industries {{ name }} }}
      ... on Enterprise {{ name url logo {{ {IMAGE_FIELDS} }} industries {{ name }} }}
      ... on VideoSeries {{ title url coverImage {{ {IMAGE_FIELDS} }} }}
    }} }}
  }}
}}
"""


def make_news(tree, count):
    industry = factories.IndustryFactory()
    for _ in range(count):
        enterprise = factories.EnterprisePageFactory(
            parent=tree.enterprise_index, title="Партнёр", logo=factories.ImageFactory()
        )
        news = factories.NewsPageFactory(
            parent=tree.news_index,
            title="Новость про завод",
            hero_image=factories.ImageFactory(),
        )
        news.industries.add(industry, factories.IndustryFactory())
        news.related_enterprises.add(enterprise)
        news.tags.add("экскурсии", "завод")
        news.save()


def make_enterprises(tree, count):
    district = factories.DistrictFactory()
    fmt = factories.EventFormatFactory()
    for _ in range(count):
        enterprise = factories.EnterprisePageFactory(
            parent=tree.enterprise_index,
            title="Завод",
            logo=factories.ImageFactory(),
            cover_image=factories.ImageFactory(),
            district=district,
            latitude=Decimal("55.7"),
            longitude=Decimal("37.6"),
        )
        enterprise.industries.add(factories.IndustryFactory())
        enterprise.formats.add(fmt)
        enterprise.awards.add(factories.AwardFactory(image=factories.ImageFactory()))
        enterprise.gallery_images.create(image=factories.ImageFactory(), caption="Цех")
        enterprise.save()
        session = factories.TourSessionFactory(enterprise=enterprise)
        factories.RegistrationFactory(session=session, seats=2)


def make_video_series(tree, count):
    for _ in range(count):
        series = factories.VideoSeriesPageFactory(
            parent=tree.video_index, cover_image=factories.ImageFactory()
        )
        for number in (1, 2):
            episode = VideoEpisode.objects.create(
                page=series,
                number=number,
                title=f"Серия {number}",
                video_url="https://vk.com/video-1_1",
            )
            episode.enterprises.add(
                factories.EnterprisePageFactory(
                    parent=tree.enterprise_index, logo=factories.ImageFactory()
                )
            )
            episode.save()  # parental many-to-many changes are written on save
        series.save()


def make_awards(tree, count):
    for _ in range(count):
        award = factories.AwardFactory(image=factories.ImageFactory())
        enterprise = factories.EnterprisePageFactory(
            parent=tree.enterprise_index, logo=factories.ImageFactory()
        )
        enterprise.awards.add(award)
        enterprise.save()


def make_sessions(tree, count):
    season = factories.SeasonFactory()
    for _ in range(count):
        enterprise = factories.EnterprisePageFactory(
            parent=tree.enterprise_index, logo=factories.ImageFactory()
        )
        enterprise.industries.add(factories.IndustryFactory())
        enterprise.save()
        session = factories.TourSessionFactory(enterprise=enterprise, season=season)
        factories.RegistrationFactory(session=session, seats=2)
        if _ % 2:  # gated by a task whose quiz is about the enterprise
            quiz = factories.QuizFactory(enterprise=enterprise, image=factories.ImageFactory())
            task = factories.TaskFactory(quiz=quiz)
            SessionGate.objects.create(session=session, task=task)


def make_quizzes(tree, count):
    """Quizzes with every relation filled, and an image in a question."""
    season, industry = factories.CurrentSeasonFactory(), factories.IndustryFactory()
    series = factories.VideoSeriesPageFactory(parent=tree.video_index)
    for n in range(count):
        episode = VideoEpisode.objects.create(
            page=series, number=n + 1, title=f"Серия {n}", video_url="https://vk.com/video1"
        )
        episode.enterprises.add(factories.EnterprisePageFactory(parent=tree.enterprise_index))
        episode.save()
        enterprise = factories.EnterprisePageFactory(parent=tree.enterprise_index)
        questions = quest_factories.three_questions()
        questions[0]["value"]["image"] = factories.ImageFactory().pk
        factories.QuizFactory(
            season=season,
            industry=industry,
            enterprise=enterprise,
            image=factories.ImageFactory(),
            questions=questions,
            video_episode=episode,
        )


def make_tasks(tree, count):
    make_quizzes(tree, 2)
    quizzes = list(Quiz.objects.all())
    for n in range(count):
        factories.TaskFactory(quiz=quizzes[n % 2], industry=quizzes[n % 2].industry)


def make_prizes(tree, count):
    season = factories.CurrentSeasonFactory()
    player = factories.ParticipantFactory()
    for _ in range(count):
        prize = factories.PrizeFactory(season=season, image=factories.ImageFactory())
        PrizeClaim.objects.create(participant=player, prize=prize, price=prize.price)


def make_leaderboard(tree, count):
    season = Season.objects.filter(slug="zima").first() or factories.CurrentSeasonFactory(
        slug="zima"
    )
    for n in range(count):
        player = factories.ParticipantFactory()
        player.nickname, player.nickname_key = f"Игрок {player.pk}", f"игрок {player.pk}"
        player.save()
        PointsEntry.objects.create(
            participant=player,
            amount=n + 1,
            reason="quiz",
            source="q",
            season=season,
            description="—",
        )


def make_catalogue(tree, count):
    for _ in range(count):
        factories.IndustryFactory()
        factories.DistrictFactory()
        factories.EventFormatFactory()
        factories.SeasonFactory()


def make_search_hits(tree, count):
    """``count`` matching pages spread over the three searchable types."""
    make_news(tree, count - 2 * (count // 3))
    make_enterprises(tree, count // 3)
    for _ in range(count // 3):
        factories.VideoSeriesPageFactory(
            parent=tree.video_index,
            title="Сериал про завод",
            cover_image=factories.ImageFactory(),
        )


def count_queries(graphql, query) -> tuple[int, dict]:
    graphql(query)  # warm-up: renditions are generated once, on first request
    with CaptureQueriesContext(connection) as captured:
        data = graphql(query)
    return len(captured), data


def assert_every_list_filled(value, path="data"):
    if isinstance(value, dict):
        for key, child in value.items():
            assert_every_list_filled(child, f"{path}.{key}")
    elif isinstance(value, list):
        assert value, f"{path} is empty"
        for index, child in enumerate(value):
            assert_every_list_filled(child, f"{path}[{index}]")


LISTS = {
    "newsList": (NEWS_CARDS, make_news),
    "enterprises": (ENTERPRISE_CARDS, make_enterprises),
    "videoSeriesList": (VIDEO_CARDS, make_video_series),
    "awards": (AWARD_CARDS, make_awards),
    "sessions": (SESSION_CARDS, make_sessions),
    "industries": (CATALOGUE_LISTS, make_catalogue),
    "search": (SEARCH_CARDS, make_search_hits),
}


@pytest.mark.parametrize("list_name", LISTS)
def test_query_count_does_not_grow_with_items(site_tree, graphql, list_name):
    query, make = LISTS[list_name]
    make(site_tree, 5)
    few_queries, few = count_queries(graphql, query)
    make(site_tree, 45)
    many_queries, many = count_queries(graphql, query)

    assert many[list_name]["totalCount"] > few[list_name]["totalCount"] >= 5
    page = 20 if list_name == "videoSeriesList" else 100  # 100 series × 50 episodes × …: too costly
    assert len(many[list_name]["edges"]) == min(many[list_name]["totalCount"], page)
    assert_every_list_filled(many)  # an empty nested list would make the count meaningless
    assert many_queries == few_queries, (
        f"{list_name}: {few_queries} queries for 5 items, {many_queries} for 50"
    )


BODY_IMAGES = f"""
query {{
  newsList(first: 20) {{
    edges {{ node {{
      body {{ blockType ... on ImageBlock {{ caption image {{ {IMAGE_FIELDS} }} }} }}
    }} }}
  }}
}}
"""


def _news_with_body_images(site_tree, count: int) -> None:
    for _ in range(count):
        images = [factories.ImageFactory(), factories.ImageFactory()]
        body = [
            {"type": "paragraph", "value": "<p>Текст</p>"},
            *({"type": "image", "value": {"image": i.pk, "caption": "Цех"}} for i in images),
        ]
        news = factories.NewsPageFactory(parent=site_tree.news_index)
        news.body = body
        news.save_revision().publish()


def test_image_blocks_in_list_bodies_cost_the_same_for_any_number_of_items(graphql, site_tree):
    def queries_for(count: int) -> int:
        _news_with_body_images(site_tree, count)
        graphql(BODY_IMAGES)  # renders the renditions once
        with CaptureQueriesContext(connection) as context:
            data = graphql(BODY_IMAGES)
        edges = data["newsList"]["edges"]
        images = [b for e in edges for b in e["node"]["body"] if b["blockType"] == "image"]
        assert images and all(b["image"]["rendition"]["url"] for b in images)
        return len(context.captured_queries), len(edges)

    few, few_items = queries_for(2)
    many, many_items = queries_for(10)
    assert (few_items, many_items) == (2, 12)
    assert many == few
