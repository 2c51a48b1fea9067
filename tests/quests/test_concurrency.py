"""Prizes are never over-claimed and balances never go below zero, proven with real
parallel HTTP requests on PostgreSQL, as ``tests/booking/test_concurrency.py`` proves
seats: a live server, claims fired together behind a starting gate placed before the
locks, the stock count slowed while the lock is held, the outcome counted from the
database; and a negative control without the prize lock that must over-claim, so the
locked run is known not to pass by luck."""

import time
from collections import Counter

import pytest

from booking import locking
from quests import services
from quests.models import PointsEntry, Prize, PrizeClaim
from tests import factories
from tests.booking.test_concurrency import (
    StartingGate,
    accept_many,
    race,
    served_from_sqlite_file,
    sqlite_only,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLAIM = """mutation($token: String!, $prize: ID!) {
  claimPrize(token: $token, prizeId: $prize) {
    claim { status } points errors { code }
  }
}"""

STOCK_COUNT_DELAY = 0.005


@pytest.fixture
def graphql_url(live_server, settings) -> str:
    settings.QUESTS_RATE_LIMIT_PER_HOUR = 1_000_000  # every racer comes from 127.0.0.1
    accept_many(live_server.thread)
    return live_server.url + "/graphql/"


@pytest.fixture
def slow_counts(monkeypatch):
    """Count stock and balance as usual, then dawdle while any lock is held."""
    for name in ("_stock_taken", "_balance"):
        count = getattr(services, name)

        def slow(obj, count=count):
            taken = count(obj)
            time.sleep(STOCK_COUNT_DELAY)
            return taken

        monkeypatch.setattr(services, name, slow)


@pytest.fixture
def starting_gate(monkeypatch):
    """``arm(n)``: the next n claims wait for each other before taking any lock."""

    def arm(parties: int) -> StartingGate:
        gate = StartingGate(parties)
        limit = locking.limit_lock_wait

        def limit_lock_wait():
            gate.wait()
            limit()

        monkeypatch.setattr(locking, "limit_lock_wait", limit_lock_wait)
        return gate

    return arm


def players(count: int, points: int) -> list:
    people = [factories.ParticipantFactory() for _ in range(count)]
    PointsEntry.objects.bulk_create(
        PointsEntry(participant=p, amount=points, reason="task", source="gift", description=".")
        for p in people
    )
    return people


def last_five(stock: int = 12) -> Prize:
    """A prize with only five of its stock left."""
    prize = factories.PrizeFactory(stock=stock, price=10)
    for early in players(stock - 5, 10):
        services.claim_prize(early.token, prize.pk)
    return prize


def outcomes(replies) -> Counter:
    """How many claims succeeded, and how many failed with each error code."""
    codes = Counter()
    for reply in replies:
        payload = reply.payload("claimPrize")
        assert payload is not None, reply  # no transport or GraphQL error
        codes[payload["errors"][0]["code"] if payload["errors"] else "CLAIMED"] += 1
    return codes


def claim_race(starting_gate, url, calls) -> Counter:
    gate = starting_gate(len(calls))
    replies = race(url, calls)
    assert gate.everyone_started_together, "not every claim reached the locks"
    return outcomes(replies)


@pytest.mark.postgres_only
@pytest.mark.usefixtures("slow_counts")
def test_100_claims_for_the_last_5_prizes_get_exactly_5(graphql_url, starting_gate):
    prize = last_five()
    racers = players(100, 10)
    calls = [(CLAIM, {"token": p.token, "prize": str(prize.pk)}) for p in racers]

    codes = claim_race(starting_gate, graphql_url, calls)

    assert codes == {"CLAIMED": 5, "OUT_OF_STOCK": 95}
    assert PrizeClaim.objects.filter(prize=prize).count() == prize.stock
    winners = PrizeClaim.objects.filter(prize=prize, participant__in=racers)
    assert winners.count() == 5
    for claim in winners:  # each paid once, from the ledger
        assert claim.participant.balance() == 0
    assert all(p.balance() == 10 for p in racers if not p.claims.exists())


@pytest.mark.postgres_only
@pytest.mark.usefixtures("slow_counts")
def test_negative_control_without_the_prize_lock_over_claims(
    graphql_url, starting_gate, monkeypatch
):
    monkeypatch.setattr(
        services,
        "_lock_prize",
        lambda prize_id: Prize.objects.filter(pk=prize_id, is_active=True).first(),
    )
    prize = last_five()
    racers = players(100, 10)
    calls = [(CLAIM, {"token": p.token, "prize": str(prize.pk)}) for p in racers]

    codes = claim_race(starting_gate, graphql_url, calls)

    assert codes["CLAIMED"] > 5, codes
    assert PrizeClaim.objects.filter(prize=prize).count() > prize.stock


@pytest.mark.postgres_only
@pytest.mark.usefixtures("slow_counts")
def test_one_participant_racing_for_many_prizes_never_goes_below_zero(graphql_url, starting_gate):
    (player,) = players(1, 30)
    prizes = [factories.PrizeFactory(stock=5, price=10) for _ in range(12)]
    calls = [(CLAIM, {"token": player.token, "prize": str(prize.pk)}) for prize in prizes]

    codes = claim_race(starting_gate, graphql_url, calls)

    assert codes == {"CLAIMED": 3, "NOT_ENOUGH_POINTS": 9}
    assert player.balance() == 0
    assert player.claims.count() == 3


@sqlite_only
@pytest.mark.usefixtures("slow_counts")
def test_sqlite_claims_queue_and_never_over_claim(tmp_path, settings, caplog):
    # SQLite serialises writers (BEGIN IMMEDIATE): no gate, which would hold the write
    # lock while it waits; the claims queue on the busy timeout instead of failing.
    settings.QUESTS_RATE_LIMIT_PER_HOUR = 1_000_000
    prize = last_five()
    racers = players(40, 10)
    calls = [(CLAIM, {"token": p.token, "prize": str(prize.pk)}) for p in racers]

    with served_from_sqlite_file(tmp_path) as url:
        replies = race(url, calls)
        claimed = PrizeClaim.objects.filter(prize=prize).count()
        balances = sorted(p.balance() for p in racers)

    logged = [f"{r.getMessage()} {r.exc_info and r.exc_info[1]}" for r in caplog.records]
    assert not [line for line in logged if "database is locked" in line.lower()]
    codes = outcomes(replies)
    assert codes == {"CLAIMED": 5, "OUT_OF_STOCK": 35}
    assert claimed == prize.stock
    assert balances == [0] * 5 + [10] * 35
