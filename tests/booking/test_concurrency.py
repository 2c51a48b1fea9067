"""Seats are never oversold, proven with many real parallel HTTP requests.

As pretix's ``src/tests/concurrency_tests/``: a live server (a thread per request, each
with its own database connection) takes GraphQL mutations fired together from a thread
pool behind a barrier; the outcome is counted from the database afterwards. A negative
control runs the same race with the session lock switched off and must oversell, so we
know the race really happens and the locked runs are not passing by luck.

Both runs widen the race alike. A starting gate in front of the session lock holds each
request until all of them have got that far (the server is one Python process: without
the gate, requests reach the booking code one by one as it accepts and parses them, and
seldom overlap). Then counting the seats sleeps a little after the query, while the
session lock (if any) is held.

On SQLite, pytest-django's ``live_server`` hands the server the test thread's own
connection when the test database is in memory (Django shares an in-memory database that
way), so every request would run on one shared connection and nothing would race. The
SQLite test therefore copies the test database to a file and serves it from a server of
its own, whose request threads open their own connections with the project's settings
(BEGIN IMMEDIATE, WAL, busy timeout).
"""

import datetime
import json
import random
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection, connections
from django.db.models import Sum
from django.test.testcases import LiveServerThread
from django.utils import timezone

from booking import locking
from booking.models import Registration, TourSession
from tests import factories

Status = Registration.Status

# transaction=True: the server's threads see only committed rows. serialized_rollback:
# each test starts from the migrated data (root page, default site, locale) that the
# flush after a transactional test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite settings (BEGIN IMMEDIATE, WAL)"
)

# Seconds the seat count sleeps after its query: widens the count-then-insert window.
SEAT_COUNT_DELAY = 0.005
REQUEST_TIMEOUT = 120
# Seconds the starting gate waits for every racer to arrive before giving up on them.
GATE_TIMEOUT = 60
# Seconds between a waiting racer's looks at the gate.
GATE_POLL = 0.01
# Connections the server's listening socket queues before it accepts them.
BACKLOG = 1024

REGISTER = """mutation($input: RegisterForSessionInput!) {
  registerForSession(input: $input) {
    waitlisted
    registration { status seats }
    errors { field code message }
  }
}"""

CANCEL = """mutation($token: String!) {
  cancelRegistration(token: $token) {
    registration { status }
    errors { field code message }
  }
}"""


# --- helpers ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: dict | str

    def payload(self, field: str) -> dict | None:
        """The mutation's payload, or None if the request failed in any way."""
        if self.status != 200 or not isinstance(self.body, dict) or "errors" in self.body:
            return None
        return (self.body.get("data") or {}).get(field)


def post_graphql(url: str, query: str, variables: dict) -> Reply:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return Reply(response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(errors="replace"))
    except OSError as error:  # refused, reset, timed out: a failed request too
        return Reply(0, repr(error))


def race(url: str, calls: list[tuple[str, dict]]) -> list[Reply]:
    """Send every (query, variables) at once, each from its own thread; replies in order."""
    barrier = threading.Barrier(len(calls))

    def send(call: tuple[str, dict]) -> Reply:
        barrier.wait(timeout=REQUEST_TIMEOUT)
        return post_graphql(url, *call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def assert_all_succeeded(replies: list[Reply], field: str) -> None:
    """No transport or GraphQL error, and the mutation's own ``errors`` list is empty."""
    failed = [
        reply
        for reply in replies
        if (payload := reply.payload(field)) is None or payload["errors"] != []
    ]
    assert not failed, f"{len(failed)} of {len(replies)} failed, e.g. {failed[:3]}"


def register_call(session: TourSession, email: str, seats: int = 1) -> tuple[str, dict]:
    return REGISTER, {
        "input": {
            "sessionId": str(session.pk),
            "name": "Мария Петрова",
            "email": email,
            "phone": "+7 900 111-22-33",
            "seats": seats,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
    }


def seats_held(session: TourSession) -> int:
    """Seats held now, summed straight from the rows (not through the patched method)."""
    held = Registration.objects.filter(Registration.holds_seats_q(), session=session)
    return held.aggregate(total=Sum("seats"))["total"] or 0


def accept_many(server: LiveServerThread) -> None:
    """Let the server queue every racing connection until it accepts it.

    Django's test server listens with a backlog of 10: with dozens of connections opened
    at once the kernel's accept queue overflows and connections are reset, a failure of
    the test harness and not of the app. Calling listen() again on a listening socket
    only changes its backlog.
    """
    server.httpd.socket.listen(BACKLOG)


@pytest.fixture
def graphql_url(live_server) -> str:
    accept_many(live_server.thread)
    return live_server.url + "/graphql/"


@pytest.fixture
def booking_settings(settings):
    # Every request comes from 127.0.0.1: lift the per-IP hourly limit.
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 1_000_000


@pytest.fixture
def enterprise(site_tree):
    return factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="АО «Сапфир»")


@pytest.fixture
def slow_seat_count(monkeypatch):
    """Count seats as usual, then dawdle: other requests run while the count goes stale."""
    count = TourSession.seats_taken

    def seats_taken(self) -> int:
        taken = count(self)
        time.sleep(SEAT_COUNT_DELAY)
        return taken

    monkeypatch.setattr(TourSession, "seats_taken", seats_taken)


class StartingGate:
    """Holds each racer until all have arrived, then lets them all go at once.

    Not a ``threading.Barrier``: a barrier wakes its waiters through one condition lock,
    one after another, and under the GIL that spreads their release over seconds, while
    the first ones released are already through. Here each racer polls a counter on its
    own, so all of them become runnable within one poll.
    """

    def __init__(self, parties: int):
        self.parties = parties
        self.arrived = 0
        self.late = 0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            self.arrived += 1
        deadline = time.monotonic() + GATE_TIMEOUT
        while self.arrived < self.parties:
            if time.monotonic() > deadline:  # a racer is missing: go on rather than hang
                with self._lock:
                    self.late += 1
                return
            time.sleep(GATE_POLL)

    @property
    def everyone_started_together(self) -> bool:
        return self.arrived == self.parties and not self.late


@pytest.fixture
def starting_gate(monkeypatch):
    """``arm(n)``: the next n lock_session calls wait for each other, then go on together.

    It wraps whatever ``lock_session`` is at arming time (the lock, or the control's
    stand-in), so the gate is outside the lock: nothing is locked while requests wait.
    """

    def arm(parties: int) -> StartingGate:
        gate = StartingGate(parties)
        take_lock = locking.lock_session

        def lock_session(session_id: int, visible_only: bool = False) -> TourSession:
            gate.wait()
            return take_lock(session_id, visible_only=visible_only)

        monkeypatch.setattr(locking, "lock_session", lock_session)
        return gate

    return arm


@pytest.fixture
def no_session_lock(monkeypatch):
    """The negative control: read the session without SELECT … FOR UPDATE."""

    def lock_session(session_id: int, visible_only: bool = False) -> TourSession:
        sessions = TourSession.objects.select_related("enterprise")
        if visible_only:
            sessions = sessions.filter(pk__in=TourSession.objects.visible().values("pk"))
        return sessions.get(pk=session_id)

    monkeypatch.setattr(locking, "lock_session", lock_session)


def gated_race(starting_gate, url: str, calls: list[tuple[str, dict]]) -> list[Reply]:
    """``race``, with every request held at the starting gate until all have reached it."""
    gate = starting_gate(len(calls))
    replies = race(url, calls)
    assert gate.everyone_started_together, "not every request reached the session lock"
    return replies


def single_seat_racers(session: TourSession, count: int) -> list[tuple[str, dict]]:
    return [register_call(session, f"racer{n}@example.org") for n in range(count)]


# --- PostgreSQL: SELECT … FOR UPDATE on the session row ----------------------------------


@pytest.mark.postgres_only
@pytest.mark.usefixtures("booking_settings", "slow_seat_count")
def test_parallel_registrations_never_oversell(graphql_url, starting_gate, enterprise):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=50)

    replies = gated_race(starting_gate, graphql_url, single_seat_racers(session, 200))

    assert_all_succeeded(replies, "registerForSession")
    registrations = Registration.objects.filter(session=session)
    statuses = Counter(registrations.values_list("status", flat=True))
    assert statuses == {Status.PENDING: 50, Status.WAITLISTED: 150}
    assert seats_held(session) == 50
    emails = list(registrations.values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == 200
    # Each reply told its client the truth.
    told = Counter(reply.payload("registerForSession")["waitlisted"] for reply in replies)
    assert told == {False: 50, True: 150}


@pytest.mark.postgres_only
@pytest.mark.usefixtures("booking_settings", "slow_seat_count")
def test_parallel_parties_of_random_size_are_never_split(graphql_url, starting_gate, enterprise):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=50, max_party_size=4)
    rng = random.Random(20261101)
    parties = {f"party{n}@example.org": rng.randint(1, 4) for n in range(80)}

    calls = [register_call(session, email, seats) for email, seats in parties.items()]

    replies = gated_race(starting_gate, graphql_url, calls)

    assert_all_succeeded(replies, "registerForSession")
    registrations = list(Registration.objects.filter(session=session))
    assert sorted(r.email for r in registrations) == sorted(parties)
    for registration in registrations:
        # The whole party, either holding its seats or waiting for all of them.
        assert registration.seats == parties[registration.email]
        assert registration.status in (Status.PENDING, Status.WAITLISTED)
        assert (registration.hold_expires_at is not None) == (registration.status == Status.PENDING)
    held = sum(r.seats for r in registrations if r.status == Status.PENDING)
    assert held == seats_held(session)
    assert held <= session.capacity
    # A newcomer takes free seats whenever its party fits, and seats only filled up
    # during the race: no waiting party fits into what is left.
    waiting = [r.seats for r in registrations if r.status == Status.WAITLISTED]
    assert waiting, "the race should overfill the session"
    assert held + min(waiting) > session.capacity


@pytest.mark.postgres_only
@pytest.mark.usefixtures("booking_settings", "slow_seat_count")
def test_cancellations_racing_registrations_promote_the_waitlist_in_order(
    graphql_url, starting_gate, enterprise, mailoutbox
):
    capacity = 30
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=capacity)
    start = timezone.now() - datetime.timedelta(hours=3)
    confirmed = [
        factories.RegistrationFactory(
            session=session,
            status=Status.CONFIRMED,
            confirmed_at=start,
            created_at=start + datetime.timedelta(seconds=n),
        )
        for n in range(capacity)
    ]
    waitlist = [
        factories.RegistrationFactory(
            session=session,
            status=Status.WAITLISTED,
            created_at=start + datetime.timedelta(minutes=10, seconds=n),
        )
        for n in range(20)
    ]
    newcomer_emails = [f"newcomer{n}@example.org" for n in range(30)]
    calls = [(CANCEL, {"token": registration.token}) for registration in confirmed]
    calls += [register_call(session, email) for email in newcomer_emails]
    random.Random(7).shuffle(calls)

    replies = gated_race(starting_gate, graphql_url, calls)

    assert_all_succeeded(
        [r for r, c in zip(replies, calls, strict=True) if c[0] is CANCEL], "cancelRegistration"
    )
    assert_all_succeeded(
        [r for r, c in zip(replies, calls, strict=True) if c[0] is REGISTER], "registerForSession"
    )
    for registration in confirmed:
        registration.refresh_from_db()
        assert registration.status == Status.CANCELLED
        assert registration.promoted_at is None
    # (a) Every freed seat was taken again.
    assert seats_held(session) == capacity

    # (b) The promoted are a prefix of the waitlist, first come first served.
    for registration in waitlist:
        registration.refresh_from_db()
    statuses = [registration.status for registration in waitlist]
    promoted = statuses.count(Status.PENDING)
    assert statuses == [Status.PENDING] * promoted + [Status.WAITLISTED] * (20 - promoted)
    assert all(r.promoted_at is not None for r in waitlist[:promoted])
    assert all(r.promoted_at is None for r in waitlist[promoted:])

    # (c) Statuses add up: each freed seat went to exactly one party.
    newcomers = list(Registration.objects.filter(session=session, email__in=newcomer_emails))
    assert sorted(r.email for r in newcomers) == sorted(newcomer_emails)
    assert {r.status for r in newcomers} <= {Status.PENDING, Status.WAITLISTED}
    seated = [r for r in newcomers if r.status == Status.PENDING]
    assert promoted + len(seated) == capacity
    if seated:
        # A newcomer gets a seat only once nobody who came earlier is still waiting.
        assert promoted == len(waitlist)
    # promoted_at marks exactly the parties that came off the waitlist, all holding seats.
    came_off_waitlist = Registration.objects.filter(session=session, promoted_at__isnull=False)
    assert set(came_off_waitlist.values_list("status", flat=True)) <= {Status.PENDING}
    expected = {r.pk for r in waitlist[:promoted]}
    assert expected <= set(came_off_waitlist.values_list("pk", flat=True))
    # Nobody was promoted twice: one "a seat is yours" e-mail per promoted party.
    promoted_mail = Counter(
        message.to[0] for message in mailoutbox if message.subject.startswith("Освободилось")
    )
    assert set(promoted_mail.values()) <= {1}
    assert set(promoted_mail) == set(came_off_waitlist.values_list("email", flat=True))


@pytest.mark.postgres_only
@pytest.mark.usefixtures("booking_settings", "slow_seat_count", "no_session_lock")
def test_negative_control_without_the_lock_the_race_oversells(
    graphql_url, starting_gate, enterprise
):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=50)

    replies = gated_race(starting_gate, graphql_url, single_seat_racers(session, 200))

    assert_all_succeeded(replies, "registerForSession")
    held = seats_held(session)
    assert held > session.capacity, f"no oversell ({held} held): the race was not seen"


# --- SQLite: BEGIN IMMEDIATE, WAL and a busy timeout --------------------------------------


@contextmanager
def served_from_sqlite_file(directory):
    """Serve the app on a copy of the in-memory test database in a file; yield its URL.

    The server's threads open connections of their own to the file (no connection
    override), with the project's OPTIONS. The test thread's connection is switched to
    the file too, so counting afterwards sees what the server did; everything is put
    back on exit.
    """
    conn = connections["default"]
    assert conn.vendor == "sqlite"
    conn.ensure_connection()
    in_memory = conn.is_in_memory_db()
    if in_memory:
        original_name = conn.settings_dict["NAME"]
        memory = conn.connection
        path = directory / "concurrency.sqlite3"
        copy = sqlite3.connect(path)
        memory.backup(copy)
        copy.close()
        # Keep the in-memory database alive (``memory`` still refers to it) while the
        # wrapper and every new thread's connection point at the file.
        conn.connection = None
        conn.settings_dict["NAME"] = str(path)
        conn.ensure_connection()  # the first connection turns WAL on, as a server would
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={})
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        if server.error:
            raise server.error
        accept_many(server)
        yield f"http://127.0.0.1:{server.port}/graphql/"
    finally:
        server.terminate()
        if in_memory:
            conn.close()
            conn.settings_dict["NAME"] = original_name
            conn.connection = memory


@sqlite_only
@pytest.mark.usefixtures("booking_settings", "slow_seat_count")
def test_sqlite_parallel_registrations_queue_instead_of_failing(enterprise, tmp_path, caplog):
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=20)

    with served_from_sqlite_file(tmp_path) as url:
        replies = race(url, single_seat_racers(session, 50))
        statuses = Counter(
            Registration.objects.filter(session=session).values_list("status", flat=True)
        )
        held = seats_held(session)

    # "database is locked" would come back masked as an internal error: check the
    # replies and the server's log alike.
    logged = [f"{r.getMessage()} {r.exc_info and r.exc_info[1]}" for r in caplog.records]
    assert not [line for line in logged if "database is locked" in line.lower()]
    assert not [r for r in replies if "database is locked" in str(r.body).lower()]
    assert_all_succeeded(replies, "registerForSession")
    assert statuses == {Status.PENDING: 20, Status.WAITLISTED: 30}
    assert held == 20
