"""Faults of production's parts, on the real stack (scripts/local_stack.py).

PostgreSQL, Redis, an SMTP sink, gunicorn with its config and the task worker run as in
production (``DEBUG=false``). While PostgreSQL restarts, the API answers 503 with
``Retry-After`` at once, never 400 and never a hang, and nothing is half-made; a
gunicorn worker killed during a burst of bookings loses nothing and oversells nothing;
a hanging mail server holds up no request; a mail outage loses no letter and a task
worker killed mid-send sends none twice. Redis's faults are in ``test_redis_cache.py``.
"""

import http.client
import json
import os
import signal
import threading
import time

import psycopg
import pytest

from scripts.local_stack import LocalStack
from scripts.with_postgres import find_bindir
from tests.servers import skip_or_fail

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs in the SQLite run; the stack starts a PostgreSQL of its own",
)

SETUP = """
from wagtail.models import Page, Site
from tests import factories
root = Page.get_first_root_node()
home = factories.HomePageFactory(parent=root, slug="open-mosprom")
Site.objects.filter(is_default_site=True).update(root_page=home)
index = factories.EnterpriseIndexPageFactory(parent=home)
enterprise = factories.EnterprisePageFactory(parent=index, title="Завод «Салют»")
ids = [
    factories.TourSessionFactory(enterprise=enterprise, capacity=capacity, max_party_size=2).pk
    for capacity in (10, 200)
]
print(",".join(map(str, ids)))
"""

COUNTS = """
import json
from booking.models import Registration, TourSession
print(json.dumps(sorted(Registration.objects.values_list("email", flat=True))))
print(json.dumps([(s.pk, s.seats_taken(), s.capacity) for s in TourSession.objects.all()]))
"""

REGISTER = (
    "mutation($input: RegisterForSessionInput!) { registerForSession(input: $input) "
    "{ waitlisted errors { code } } }"
)
READ = "{ sessions(first: 5) { edges { node { title seatsLeft } } } }"


@pytest.fixture(scope="module")
def stack():
    if find_bindir() is None:
        skip_or_fail("PostgreSQL binaries missing")
    stack = LocalStack(
        web_workers=2,
        demo_content=False,
        extra_env={
            "BOOKING_RATE_LIMIT_PER_HOUR": "100000",
            # Minutes and hours in production; seconds here.
            "EMAIL_TIMEOUT": "10",
            "DELIVERY_RETRY_DELAYS": ",".join(["1"] * 30),
            "DELIVERY_CIRCUIT_SECONDS": "1",
            "DELIVERY_CLAIM_TIMEOUT_SECONDS": "4",
            "DELIVERY_RESCUE_AFTER_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
        },
    )
    try:
        stack.start()
        stack.session_ids = [
            int(pk)
            for pk in stack.manage("shell", "--no-imports", "-c", SETUP)
            .stdout.strip()
            .splitlines()[-1]
            .split(",")
        ]
        yield stack
    finally:
        stack.stop()


def post(stack, query, variables=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=timeout)
    try:
        body = json.dumps({"query": query, "variables": variables or {}})
        connection.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read())
    finally:
        connection.close()


def registration(session_id, email):
    return {
        "input": {
            "sessionId": str(session_id),
            "name": "Анна Смирнова",
            "email": email,
            "phone": "+79001234567",
            "seats": 1,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
    }


def counts(stack):
    emails, sessions = stack.manage("shell", "--no-imports", "-c", COUNTS).stdout.splitlines()
    return json.loads(emails), json.loads(sessions)


def test_while_postgresql_restarts_the_api_answers_503_at_once_and_changes_nothing(stack):
    stack.stop_postgres()
    try:
        for query, variables in (
            (READ, None),
            (REGISTER, registration(stack.session_ids[1], "during@example.org")),
        ):
            # A hang would end in the client's socket timeout, failing the test.
            status, headers, payload = post(stack, query, variables)
            assert status == 503, payload
            assert int(headers["Retry-After"]) > 0
            assert payload["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    finally:
        stack.start_postgres()

    status, _, payload = post(
        stack, REGISTER, registration(stack.session_ids[1], "after@example.org")
    )
    assert status == 200 and payload["data"]["registerForSession"]["errors"] == [], payload
    emails, _ = counts(stack)
    assert "during@example.org" not in emails
    assert "after@example.org" in emails


def test_a_gunicorn_worker_killed_during_a_burst_loses_and_oversells_nothing(stack):
    small = stack.session_ids[0]  # 10 seats for 30 parties
    told_ok: list[str] = []
    lock = threading.Lock()

    def book(number):
        email = f"burst{number}@example.org"
        for _ in range(5):  # as an app does: retry a dropped connection or a 503
            try:
                status, _, payload = post(stack, REGISTER, registration(small, email))
            except (OSError, http.client.HTTPException):
                time.sleep(0.3)
                continue
            if status == 200 and payload["data"]["registerForSession"]["errors"] == []:
                with lock:
                    told_ok.append(email)
                return
            time.sleep(0.3)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(30)]
    for thread in threads[:15]:
        thread.start()
    old_pids = stack.gunicorn_worker_pids()
    os.kill(old_pids[0], signal.SIGKILL)
    for thread in threads[15:]:
        thread.start()
    for thread in threads:
        thread.join()

    emails, sessions = counts(stack)
    assert set(told_ok) <= set(emails)  # nobody told "done" is missing
    assert len(told_ok) == 30  # every party got an answer in the end
    assert all(taken <= capacity for _, taken, capacity in sessions)
    assert old_pids[0] not in stack.gunicorn_worker_pids()  # gunicorn replaced it


def test_a_hanging_mail_server_holds_up_no_request(stack):
    # No task worker for now: any connection to the mail server would be the request's.
    stack.kill_task_worker()
    stack.smtp.hang()
    try:
        status, _, payload = post(
            stack, REGISTER, registration(stack.session_ids[1], "hang@example.org")
        )
        read_status, _, _ = post(stack, READ)
        assert stack.smtp.held_connections() == 0  # the request never spoke to it
    finally:
        stack.smtp.up()
        stack.start_task_worker()
    assert status == 200 and payload["data"]["registerForSession"]["errors"] == []
    assert read_status == 200

    deadline = time.monotonic() + 60
    while "hang@example.org" not in stack.smtp.recipients() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stack.smtp.recipients().count("hang@example.org") == 1


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def letters_of(stack, *emails) -> list[tuple[str, str, int]]:
    """(e-mail, delivery status, attempts) of these registrants' letters, oldest first."""
    with psycopg.connect(stack.database_url) as db:
        return db.execute(
            "SELECT r.email, d.status, d.attempts FROM jobs_delivery d "
            "JOIN booking_registration r ON r.id = (d.payload->>'registration')::bigint "
            "WHERE r.email = ANY(%s) ORDER BY d.id",
            [list(emails)],
        ).fetchall()


def register_all(stack, *emails) -> None:
    for email in emails:
        status, _, payload = post(stack, REGISTER, registration(stack.session_ids[1], email))
        assert status == 200 and payload["data"]["registerForSession"]["errors"] == []


def test_a_mail_outage_loses_no_letter_and_sends_none_twice(stack):
    emails = ["anna@example.org", "boris@example.org", "vera@example.org"]
    stack.kill_task_worker()  # nothing can be sent until it is back
    stack.smtp.down()
    register_all(stack, *emails)
    assert [status for _, status, _ in letters_of(stack, *emails)] == ["pending"] * 3

    stack.start_task_worker()
    wait_for(
        lambda: all(attempts >= 2 for *_, attempts in letters_of(stack, *emails)),
        30,
        "the worker retries while the server is down",
    )
    assert not set(emails) & set(stack.smtp.recipients())

    stack.smtp.up()
    wait_for(
        lambda: all(status == "sent" for _, status, _ in letters_of(stack, *emails)),
        30,
        "every letter once the server is up",
    )
    assert sorted(a for a in stack.smtp.recipients() if a in emails) == emails


def test_a_worker_killed_mid_send_to_a_hanging_server_sends_the_letter_once(stack):
    stack.smtp.hang()
    register_all(stack, "grigory@example.org")
    wait_for(
        lambda: letters_of(stack, "grigory@example.org")[-1][1] == "sending",
        30,
        "the worker stuck talking to the hanging server",
    )

    stack.kill_task_worker()  # SIGKILL: no clean-up, the claim stays
    stack.smtp.up()
    stack.start_task_worker()

    wait_for(
        lambda: letters_of(stack, "grigory@example.org")[-1][1] == "sent",
        40,
        "the letter after the worker died",
    )
    assert stack.smtp.recipients().count("grigory@example.org") == 1
