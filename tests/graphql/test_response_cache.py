"""Caching of GET queries, seen from a client: what is reused, what is always live."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql import parse
from wagtail.models import PageViewRestriction

from changes.content import bump_version
from graphql_schema import caching
from graphql_schema.core.policy import Policy, policy_for
from graphql_schema.schema import schema
from pages import stats
from pages.models import NewsPage
from pages.preview import create_preview_token
from tests import factories

NEWS = "query($slug: String!) { news(slug: $slug) { title lead } }"
SEATS = "{ sessions { edges { node { id seatsLeft } } } }"
REGISTRATION = "query($token: String!) { registration(token: $token) { status seats } }"


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, title="Первая версия")


@pytest.fixture
def enterprise(site_tree):
    return factories.EnterprisePageFactory(parent=site_tree.enterprise_index)


def get_data(graphql, query, variables=None, **extra) -> dict:
    response = graphql.get(query, variables, **extra)
    payload = response.json()
    assert response.status_code == 200, payload
    assert "errors" not in payload, payload
    return payload["data"]


def queries_of(graphql, query, variables=None, **extra) -> int:
    with CaptureQueriesContext(connection) as context:
        graphql.get(query, variables, **extra)
    return len(context.captured_queries)


def test_a_repeated_get_is_answered_from_the_cache(graphql, news, django_assert_num_queries):
    first = graphql.get(NEWS, {"slug": news.slug})
    assert first.json()["data"]["news"]["title"] == "Первая версия"
    with django_assert_num_queries(1):  # the content version, nothing else
        second = graphql.get(NEWS, {"slug": news.slug})
    assert second.content == first.content


def test_the_cache_is_really_used_until_content_changes(graphql, news, settings):
    """The negative control of the publish test: a change no signal reports stays unseen."""
    get_data(graphql, NEWS, {"slug": news.slug})
    NewsPage.objects.filter(pk=news.pk).update(title="Тихая правка")
    assert get_data(graphql, NEWS, {"slug": news.slug})["news"]["title"] == "Первая версия"

    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # off: every GET runs the query
    assert get_data(graphql, NEWS, {"slug": news.slug})["news"]["title"] == "Тихая правка"


def test_a_cached_answer_does_not_outlive_an_expiry_date(graphql, news):
    """No signal fires when a page's expiry passes: the entry must be gone by then."""
    now = timezone.now()
    NewsPage.objects.filter(pk=news.pk).update(expire_at=now + timedelta(seconds=60))
    assert get_data(graphql, NEWS, {"slug": news.slug})["news"]["title"] == "Первая версия"

    later = now + timedelta(seconds=90)  # well within the cache's own 300 seconds
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("django.core.cache.backends.locmem.time.time", return_value=later.timestamp()),
    ):
        assert get_data(graphql, NEWS, {"slug": news.slug})["news"] is None


def test_publishing_shows_at_once(graphql, news, django_capture_on_commit_callbacks):
    get_data(graphql, NEWS, {"slug": news.slug})

    news.title = "Вторая версия"
    with django_capture_on_commit_callbacks(execute=True):
        news.save_revision().publish()

    assert get_data(graphql, NEWS, {"slug": news.slug})["news"]["title"] == "Вторая версия"


def test_a_page_made_private_disappears_at_once(graphql, news, django_capture_on_commit_callbacks):
    assert get_data(graphql, NEWS, {"slug": news.slug})["news"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=news, restriction_type=PageViewRestriction.PASSWORD, password="секрет"
        )
    assert get_data(graphql, NEWS, {"slug": news.slug})["news"] is None


def test_a_version_bumped_by_another_process_drops_this_ones_entries(graphql, news):
    """The version lives in the database, so a publish in one worker reaches all of them."""
    get_data(graphql, NEWS, {"slug": news.slug})
    assert queries_of(graphql, NEWS, {"slug": news.slug}) == 1
    bump_version()  # as a publish in another worker does, through the database
    assert queries_of(graphql, NEWS, {"slug": news.slug}) > 1


def test_each_query_variables_and_host_have_their_own_entry(graphql, site_tree):
    image = factories.ImageFactory()
    one = factories.NewsPageFactory(parent=site_tree.news_index, hero_image=image)
    two = factories.NewsPageFactory(parent=site_tree.news_index)
    assert get_data(graphql, NEWS, {"slug": one.slug})["news"]["title"] == one.title
    assert get_data(graphql, NEWS, {"slug": two.slug})["news"]["title"] == two.title

    # Media URLs are absolute: an answer cached for one host is never served to another.
    query = "query($slug: String!) { news(slug: $slug) { heroImage { url } } }"
    for host in ("testserver", "localhost"):
        url = get_data(graphql, query, {"slug": one.slug}, HTTP_HOST=host)["news"]["heroImage"]
        assert url["url"].startswith(f"http://{host}/")


def test_etag_and_not_modified(graphql, news):
    response = graphql.get(NEWS, {"slug": news.slug}, HTTP_ORIGIN="http://localhost:3000")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    # Shared caches may keep it: no cookie, and it varies only by what changes the answer.
    assert not response.cookies
    assert "Cookie" not in response["Vary"]
    assert "Origin" in response["Vary"]

    again = graphql.get(
        NEWS, {"slug": news.slug}, HTTP_ORIGIN="http://localhost:3000", HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "http://localhost:3000"

    stale = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200
    assert stale.content == response.content


def test_a_publish_changes_the_etag(graphql, news, django_capture_on_commit_callbacks):
    etag = graphql.get(NEWS, {"slug": news.slug})["ETag"]
    news.title = "Вторая версия"
    with django_capture_on_commit_callbacks(execute=True):
        news.save_revision().publish()
    response = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_max_age_is_a_setting(graphql, news, settings):
    settings.GRAPHQL_HTTP_MAX_AGE = 60
    response = graphql.get(NEWS, {"slug": news.slug})
    assert response["Cache-Control"] == "public, max-age=60, must-revalidate"


def test_post_is_never_cached(graphql, news):
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            response = graphql.post(NEWS, {"slug": news.slug})
        assert response.json()["data"]["news"]["title"] == "Первая версия"
        assert len(context.captured_queries) > 1  # executed, every time
        assert "ETag" not in response
        assert "public" not in response.get("Cache-Control", "")
    # …nor stored for a GET to find.
    assert queries_of(graphql, NEWS, {"slug": news.slug}) > 1


def test_a_registration_is_private_and_never_stored(graphql, enterprise):
    registration = factories.RegistrationFactory(
        session=factories.TourSessionFactory(enterprise=enterprise), seats=2
    )
    variables = {"token": registration.token}

    response = graphql.get(REGISTRATION, variables)
    assert response.json()["data"]["registration"]["seats"] == 2
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response

    registration.seats = 3
    registration.save()
    assert get_data(graphql, REGISTRATION, variables)["registration"]["seats"] == 3


def test_a_preview_is_private_and_never_stored(graphql, news, django_user_model):
    editor = django_user_model.objects.create_user("editor")
    query = "query($token: String!) { preview(token: $token) { title } }"
    news.title = "Черновик 1"
    token = create_preview_token(news, editor)

    response = graphql.get(query, {"token": token})
    assert response.json()["data"]["preview"]["title"] == "Черновик 1"
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response

    news.title = "Черновик 2"  # the editor previews again: the same preview, updated
    create_preview_token(news, editor)
    assert get_data(graphql, query, {"token": token})["preview"]["title"] == "Черновик 2"


def test_seats_are_always_live(graphql, enterprise):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=10)
    response = graphql.get(SEATS)
    assert response["Cache-Control"] == "no-cache"  # stored by browsers, but revalidated
    assert response["ETag"]
    assert response.json()["data"]["sessions"]["edges"][0]["node"]["seatsLeft"] == 10

    # A registration sends no content notice: the next GET sees it all the same.
    factories.RegistrationFactory(session=session, seats=3)
    nodes = get_data(graphql, SEATS)["sessions"]["edges"]
    assert nodes[0]["node"]["seatsLeft"] == 7

    # The browser's copy is revalidated against the live answer.
    stale = graphql.get(SEATS, HTTP_IF_NONE_MATCH=response["ETag"])
    assert stale.status_code == 200


def test_errors_are_never_cached(graphql, site_tree, monkeypatch):
    calls = []

    def failing_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("база данных недоступна")
        return original()

    original = stats.live_counts
    monkeypatch.setattr(stats, "live_counts", failing_once)
    query = "{ projectStats { live { news } } }"

    response = graphql.get(query)
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response

    assert get_data(graphql, query)["projectStats"]["live"]["news"] == 0
    assert len(calls) == 2


def test_a_bad_request_is_not_cached(graphql, db):
    response = graphql.get("{ newsList { edges { node { noSuchField } } } }")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


@pytest.mark.parametrize(
    ("query", "policy"),
    [
        ("{ newsList { totalCount } }", "content"),
        ("{ enterprises(first: 5) { edges { node { name awards { title } } } } }", "content"),
        ("{ projectStats { live { news } stated { awardsTotal } } }", "content"),
        ("{ industries { edges { node { name } } } __typename }", "content"),
        ("{ sessions { totalCount } }", "live"),
        ('{ session(id: "1") { id } }', "live"),
        ("{ enterprises(hasUpcomingSessions: true) { totalCount } }", "live"),
        ('{ enterprise(slug: "x") { upcomingSessions { seatsLeft } } }', "live"),
        # Through an interface and a fragment, too.
        (
            'query { page(urlPath: "/x/") { ...E } } '
            "fragment E on Enterprise { upcomingSessions { id } }",
            "live",
        ),
        ('{ registration(token: "x") { name } }', "private"),
        ('{ newsList { totalCount } registration(token: "x") { name } }', "private"),
        ('query { ...R } fragment R on Query { registration(token: "x") { name } }', "private"),
        # An editor's draft by preview token: private as its field declares.
        ('{ preview(token: "x") { title } }', "private"),
    ],
)
def test_policy_of_a_document(query, policy):
    assert policy_for(schema.graphql_schema, parse(query)) == Policy(policy)


def test_policies_come_from_declarations_not_names():
    """A live field on a content type is live; a name that sounds live is not."""
    import django_filters
    import graphene
    from graphene_django.filter import DjangoFilterConnectionField

    from graphql_schema.core.policy import live, private
    from graphql_schema.enterprises.types import Enterprise
    from pages.models import EnterprisePage

    class Seats(graphene.ObjectType):
        left = graphene.Int()

    class Filter(django_filters.FilterSet):
        open_now = live(django_filters.BooleanFilter(method="keep"))
        session_hall = django_filters.CharFilter(method="keep")

        class Meta:
            model = EnterprisePage
            fields = ["open_now", "session_hall"]

        def keep(self, queryset, name, value):
            return queryset

    @private
    class Secret(graphene.ObjectType):
        value = graphene.String()

    class Query(graphene.ObjectType):
        seats_in_hall = live(graphene.Field(Seats))
        session_history = graphene.String(sessions_held=graphene.Int())
        secret = graphene.Field(Secret)
        listed = DjangoFilterConnectionField(Enterprise, filterset_class=Filter)

    test_schema = graphene.Schema(query=Query).graphql_schema

    def policy(query):
        return policy_for(test_schema, parse(query)).value

    assert policy("{ seatsInHall { left } }") == "live"
    assert policy("{ sessionHistory(sessionsHeld: 3) }") == "content"
    assert policy("{ listed(openNow: true) { totalCount } }") == "live"
    assert policy('{ listed(sessionHall: "A") { totalCount } }') == "content"
    assert policy("{ secret { value } sessionHistory }") == "private"


def test_the_response_cache_stays_within_its_byte_budget(db, graphql, settings):
    """Many distinct large GETs (aliases make each query new) never hold more than the
    budget, and an answer above the entry size is not stored at all."""
    from django.core.cache import caches

    from tests import factories

    settings.CACHES = {
        **settings.CACHES,
        "graphql_responses": {
            "BACKEND": "cms.cache_backends.BoundedLocMemCache",
            "LOCATION": "budget-test",
            "OPTIONS": {"MAX_BYTES": 200_000, "MAX_ENTRY_BYTES": 60_000},
        },
    }
    settings.GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES = 60_000
    for number in range(100):
        factories.IndustryFactory(name=f"Отрасль {number} " + "машиностроение " * 10)
    sizes = []
    for number in range(40):
        query = f"{{ a{number}: industries(first: 100) {{ edges {{ node {{ name slug }} }} }} }}"
        response = graphql.get(query)
        assert response.status_code == 200
        sizes.append(len(response.content))
    cache = caches["graphql_responses"]
    assert 20_000 < min(sizes) and sum(sizes) > 4 * 200_000  # unbounded would hold it all
    assert 0 < cache.stored_bytes() <= 200_000
    answers = [key for key in cache._cache if not key.endswith(caching.ETAG_SUFFIX)]
    assert len(answers) <= 200_000 // min(sizes)

    # The latest answer is still there: asked again, it costs no query.
    last = "{ a39: industries(first: 100) { edges { node { name slug } } } }"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert graphql.get(last).status_code == 200
    assert len(queries) <= 1  # the content version at most

    # Above the entry size: answered, never stored.
    before = cache.stored_bytes()
    big = (
        "{ "
        + " ".join(
            f"b{n}: industries(first: 100) {{ edges {{ node {{ name }} }} }}" for n in range(3)
        )
        + " }"
    )
    response = graphql.get(big)
    assert response.status_code == 200 and len(response.content) > 60_000
    assert cache.stored_bytes() == before


def test_lookup_parameters_read_a_url_as_django_does(settings):
    from django.test import RequestFactory

    from graphql_schema.caching import lookup_parameters

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    urls = [
        "/graphql/?query=%7B+newsList+%7B+totalCount+%7D+%7D&variables=%7B%7D",
        "/graphql/?query=1&query=%7B+a+%7D&operationName=%D0%9D%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8",
        "/graphql/?extensions=%7B%22persistedQuery%22%3A1%7D&variables=",
        "/graphql/?query=%ZZbroken%&",
        "/graphql/?query=" + "x" * 20_000,  # longer than what is kept: parsed each time
    ]
    for url in urls:
        for _ in range(2):  # parsed, then remembered
            request = RequestFactory().get(url)
            params = lookup_parameters(request)
            assert params.query == (request.GET.get("query") or "")
            assert params.variables == (request.GET.get("variables") or "")
            assert params.operation_name == (request.GET.get("operationName") or "")
            assert params.extensions == (request.GET.get("extensions") or "")
    too_many = RequestFactory().get("/graphql/?" + "&".join(f"v{n}=1" for n in range(30)))
    assert lookup_parameters(too_many) is None
