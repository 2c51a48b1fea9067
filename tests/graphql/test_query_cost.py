"""The cost limit bounds the real work: every list has a declared size, nested relations
load once per list, and what still runs long ends cleanly."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql import get_nullable_type, is_list_type, is_object_type

from booking.models import TourSession
from graphql_schema.core.lists import list_sizes
from graphql_schema.schema import schema
from tests import factories

# The query of the report: 111 bytes that ran past gunicorn's timeout at programme scale.
HEAVY = (
    "{ enterprises(first: 100){ edges{ node{ upcomingSessions{ enterprise{ awards{ "
    "enterprises{ name } } } } } } } }"
)
# The same walk without the award's 163 enterprises: allowed, and it must stay cheap.
NESTED = (
    "{ enterprises(first: 100){ edges{ node{ name upcomingSessions{ title enterprise{ "
    "name awards{ title } } } } } } }"
)


def make_enterprises(site_tree, count: int, sessions_each: int = 20) -> None:
    """``count`` enterprises with ``sessions_each`` upcoming sessions, one award held by all."""
    award = factories.AwardFactory(title="Лучший промышленный маршрут")
    event_format = factories.EventFormatFactory()
    start = timezone.now() + datetime.timedelta(days=10)
    sessions = []
    for number in range(count):
        enterprise = factories.EnterprisePageFactory(
            parent=site_tree.enterprise_index, title=f"Завод {number}", slug=f"zavod-{number}"
        )
        enterprise.awards.add(award)
        enterprise.save()
        sessions += [
            TourSession(
                enterprise=enterprise,
                event_format=event_format,
                starts_at=start + datetime.timedelta(hours=hour),
                ends_at=start + datetime.timedelta(hours=hour, minutes=90),
            )
            for hour in range(sessions_each)
        ]
    TourSession.objects.bulk_create(sessions)


@pytest.fixture
def programme_scale(site_tree):
    """The programme's scale: 163 enterprises, 20 sessions each."""
    make_enterprises(site_tree, 163)


@pytest.fixture
def small_scale(site_tree):
    make_enterprises(site_tree, 3, sessions_each=5)


def test_every_list_field_declares_its_maximum_size():
    graphql_schema = schema.graphql_schema
    declared = list_sizes(graphql_schema)
    undeclared = []
    for graphql_type in graphql_schema.type_map.values():
        if not is_object_type(graphql_type) or graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            if not is_list_type(get_nullable_type(field.type)):
                continue
            if graphql_type.name.endswith("Connection") and name == "edges":
                continue  # a page: bounded by first/last and the page cap
            if (graphql_type.name, name) not in declared:
                undeclared.append(f"{graphql_type.name}.{name}")
    assert declared  # the walk found the declarations at all
    assert undeclared == [], f"list fields without a declared maximum: {undeclared}"


def test_at_programme_scale_the_heavy_query_is_refused_and_nesting_stays_cheap(
    programme_scale, graphql
):
    with CaptureQueriesContext(connection) as queries:
        response = graphql.post(HEAVY)
    body = response.json()
    assert response.status_code == 400
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # 100 enterprises × 20 sessions × 50 awards × 200 enterprises: the declared sizes.
    assert body["extensions"]["cost"]["requested"] > 100 * 20 * 50 * 200
    assert body["extensions"]["cost"]["limit"] == 250_000
    assert len(queries) <= 1  # refused before any work (the content version at most)

    with CaptureQueriesContext(connection) as queries:
        data = graphql(NESTED)
    enterprises = data["enterprises"]["edges"]
    assert len(enterprises) == 100
    sessions = enterprises[0]["node"]["upcomingSessions"]
    assert len(sessions) == 20
    assert sessions[0]["enterprise"]["name"] == enterprises[0]["node"]["name"]
    assert sessions[0]["enterprise"]["awards"] == [{"title": "Лучший промышленный маршрут"}]
    # A handful of queries for 100 enterprises × 20 sessions, not one per object.
    assert len(queries) <= 12, [q["sql"][:120] for q in queries]


def test_upcoming_sessions_take_a_size_and_refuse_more_than_their_maximum(small_scale, graphql):
    query = "{ enterprises(first: 2){ edges{ node{ upcomingSessions(first: 3){ id } } } } }"
    data = graphql(query)
    assert [len(e["node"]["upcomingSessions"]) for e in data["enterprises"]["edges"]] == [3, 3]
    too_many = "{ enterprises(first: 1){ edges{ node{ upcomingSessions(first: 21){ id } } } } }"
    body = graphql.post(too_many).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_cost_counts_the_page_of_edges_not_the_total_count(db, graphql):
    body = graphql.post("{ industries { totalCount } }").json()
    assert body["extensions"]["cost"]["requested"] == 2


def test_a_request_past_its_time_budget_ends_with_a_clear_error(
    small_scale, graphql, settings, monkeypatch
):
    import graphql_schema.deadline as deadline

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 1
    clock = iter(range(0, 10_000, 5))  # every reading of the clock is 5 s later
    monkeypatch.setattr(deadline.time, "monotonic", lambda: next(clock))
    response = graphql.post(NESTED)
    body = response.json()
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["TIME_LIMIT_EXCEEDED"]
    assert "data" not in body


def test_an_answer_over_the_size_cap_is_replaced_by_an_error(small_scale, graphql, settings):
    settings.GRAPHQL_MAX_RESPONSE_BYTES = 1_000
    response = graphql.post(NESTED)
    body = response.json()
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RESPONSE_TOO_LARGE"]
    assert len(response.content) < 1_000


def test_the_read_budget_does_not_cut_a_booking_short(small_scale, graphql, settings, monkeypatch):
    """A registration may wait its turn for the session lock; its bound is the lock's
    timeout (BUSY), not the read budget."""
    import graphql_schema.deadline as deadline

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 1
    clock = iter(range(0, 10_000, 5))
    monkeypatch.setattr(deadline.time, "monotonic", lambda: next(clock))
    session = TourSession.objects.first()
    mutation = """mutation($i: RegisterForSessionInput!) { registerForSession(input: $i) {
      registration { status } errors { code } } }"""
    variables = {
        "i": {
            "sessionId": str(session.pk),
            "name": "Анна Смирнова",
            "email": "anna@example.org",
            "phone": "+79001112233",
            "seats": 1,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
    }
    payload = graphql(mutation, variables)["registerForSession"]
    assert payload == {"registration": {"status": "PENDING"}, "errors": []}
