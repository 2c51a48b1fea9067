"""A season opens: a burst of registrations, with content reads, while the parts around fail.

Against the ``make prod-local`` stack (``scripts/local_stack.py``: PostgreSQL, Redis, an
SMTP sink, gunicorn with 4 workers, one task worker, ``DEBUG=false``) it sends at least
1,000 registrations over 20 sessions from many client threads, with readers asking for
content all along. Meanwhile, in order: the mail server is down, then accepts connections
and hangs, then works again; a gunicorn worker and the task worker are killed (the task
worker is started again); PostgreSQL restarts once. Clients behave as the programme's
apps do: a 503 or a dropped connection is retried after a pause.

It prints registrations per second, p50/p95 of registrations and of reads (reads during
the mail hang beside the others), the error share by kind, and ends by checking, once
the mail server has been back long enough for the outbox to drain: no session oversold,
no registration that a client was told about missing, every registration that holds or
waits for a seat got its letter, and no letter sent twice (letters received = deliveries
marked sent). Exit 1 when a check fails; timings never fail it.

Usage: ``make bench-season`` or ``.venv/bin/python -m bench.season_opening [--registrations N]``.
Retry waits of the outbox are seconds here (minutes to hours in production), so the run
ends in minutes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from scripts.local_stack import LocalStack

SESSION_SETUP = """
import datetime
from django.utils import timezone
from booking.models import TourSession
from catalogue.models import EventFormat
from pages.models import EnterprisePage
enterprises = list(EnterprisePage.objects.live().order_by("pk"))
event_format = EventFormat.objects.order_by("pk").first()
start = timezone.now() + datetime.timedelta(days=10)
ids = []
for number in range({sessions}):
    session = TourSession.objects.create(
        enterprise=enterprises[number % len(enterprises)], event_format=event_format,
        title=f"Открытие сезона, группа {{number + 1}}",
        starts_at=start + datetime.timedelta(hours=number),
        ends_at=start + datetime.timedelta(hours=number, minutes=90),
        capacity={capacity}, max_party_size=2,
    )
    ids.append(session.pk)
print(",".join(map(str, ids)))
"""

CHECK = """
import json
from booking.models import Registration, TourSession
from jobs.models import Delivery
oversold = [
    s.pk for s in TourSession.objects.filter(pk__in={ids}) if s.seats_taken() > s.capacity
]
registrations = {{
    r.email: [r.status, r.pk]
    for r in Registration.objects.filter(session_id__in={ids})
}}
deliveries = list(Delivery.objects.filter(handler="booking.notice").values_list(
    "payload__registration", "payload__notice", "status"))
print(json.dumps({{"oversold": oversold, "registrations": registrations,
                  "deliveries": deliveries}}))
"""

REGISTER = (
    "mutation($input: RegisterForSessionInput!) { registerForSession(input: $input) "
    "{ waitlisted errors { code } } }"
)
READS = [
    "{ newsList(first: 10) { edges { node { title url lead } } } }",
    "{ enterprises(first: 20) { edges { node { title url } } } }",
    "{ sessions(first: 20) { edges { node { title startsAt seatsLeft } } } }",
]


@dataclass
class Results:
    registrations: list[float] = field(default_factory=list)  # seconds, successful ones
    reads: list[tuple[float, float, bool]] = field(default_factory=list)  # (at, s, in hang)
    errors: Counter = field(default_factory=Counter)
    told: dict[str, str] = field(default_factory=dict)  # e-mail -> "held" / "waitlisted"
    lock: threading.Lock = field(default_factory=threading.Lock)


def post(port: int, query: str, variables: dict | None = None, timeout: float = 60):
    """One POST /graphql/ on a fresh connection; (status, payload)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps({"query": query, "variables": variables or {}})
        connection.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def register(stack: LocalStack, results: Results, session_id: int, email: str) -> None:
    """Register as a client app would: retry a 503 or a dropped connection, up to 8 times."""
    variables = {
        "input": {
            "sessionId": str(session_id),
            "name": "Участник Открытия",
            "email": email,
            "phone": "+79001234567",
            "seats": random.choice([1, 1, 2]),
            "consentToProcessing": True,
            "consentToTransfer": True,
            "youngestParticipantAge": 30,
        }
    }
    started = time.monotonic()
    for _ in range(8):
        try:
            status, payload = post(stack.http_port, REGISTER, variables)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            with results.lock:
                results.errors["connection dropped (retried)"] += 1
            time.sleep(0.5)
            continue
        if status == 503:
            with results.lock:
                results.errors["503 SERVICE_UNAVAILABLE (retried)"] += 1
            time.sleep(1)
            continue
        answer = (payload.get("data") or {}).get("registerForSession") or {}
        codes = [error["code"] for error in answer.get("errors") or []]
        with results.lock:
            if status == 200 and not codes and "errors" not in payload:
                results.registrations.append(time.monotonic() - started)
                results.told[email] = "waitlisted" if answer["waitlisted"] else "held"
            else:
                results.errors[f"{status} {','.join(codes) or 'GraphQL error'}"] += 1
        return
    with results.lock:
        results.errors["gave up after retries"] += 1


def reader(stack: LocalStack, results: Results, stop: threading.Event, hang: threading.Event):
    while not stop.is_set():
        started = time.monotonic()
        in_hang = hang.is_set()
        try:
            status, _ = post(stack.http_port, random.choice(READS), timeout=30)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            status = 0
        elapsed = time.monotonic() - started
        with results.lock:
            if status == 200:
                results.reads.append((started, elapsed, in_hang))
            else:
                results.errors[f"read {status or 'dropped'}"] += 1
        time.sleep(0.02 if status == 200 else 1)  # as an app does after a 503 (Retry-After)


def run(options) -> int:
    stack = LocalStack(
        web_workers=4,
        task_workers=1,
        extra_env={
            "BOOKING_RATE_LIMIT_PER_HOUR": "1000000",  # every client is 127.0.0.1 here
            "DELIVERY_RETRY_DELAYS": "3,5,10,15,20,30,30,30,30,30,30,30",
            "DELIVERY_CIRCUIT_SECONDS": "3",
            "DELIVERY_RESCUE_AFTER_SECONDS": "10",
            "DELIVERY_CLAIM_TIMEOUT_SECONDS": "30",
            "EMAIL_TIMEOUT": "5",
            "LOG_LEVEL": "WARNING",
        },
    )
    print("Starting the prod-local stack…", flush=True)
    stack.start()
    try:
        ids = [
            int(pk)
            for pk in stack.manage(
                "shell",
                "--no-imports",
                "-c",
                SESSION_SETUP.format(sessions=options.sessions, capacity=options.capacity),
            )
            .stdout.strip()
            .split(",")
        ]
        results = Results()
        stop, hang = threading.Event(), threading.Event()
        readers = [
            threading.Thread(target=reader, args=(stack, results, stop, hang), daemon=True)
            for _ in range(options.readers)
        ]
        for thread in readers:
            thread.start()

        total = options.registrations
        plan = [(random.choice(ids), f"visitor{n}@example.org") for n in range(total)]
        # The faults, at shares of the registrations sent.
        faults = {
            0: ("mail server down", stack.smtp.down),
            int(total * 0.25): ("mail server hangs", lambda: (hang.set(), stack.smtp.hang())),
            int(total * 0.5): ("mail server back", lambda: (hang.clear(), stack.smtp.up())),
            int(total * 0.6): ("a gunicorn worker and the task worker killed", lambda: kill(stack)),
            int(total * 0.75): ("PostgreSQL restarts", lambda: stack.restart_postgres(2)),
        }
        cursor = iter(range(total))
        cursor_lock = threading.Lock()
        started = time.monotonic()

        def client():
            while True:
                with cursor_lock:
                    number = next(cursor, None)
                    if number is None:
                        return
                    fault = faults.pop(number, None)
                if fault is not None:
                    print(f"  {time.monotonic() - started:6.1f} s  {fault[0]}", flush=True)
                    fault[1]()
                register(stack, results, *plan[number])

        clients = [threading.Thread(target=client) for _ in range(options.clients)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        burst = time.monotonic() - started
        stop.set()
        for thread in readers:
            thread.join()
        report(results, burst)
        return check(stack, ids, results, options)
    finally:
        stack.stop()


def kill(stack: LocalStack) -> None:
    import os
    import signal

    os.kill(stack.gunicorn_worker_pids()[0], signal.SIGKILL)  # gunicorn starts another
    stack.kill_task_worker()
    stack.start_task_worker()


def report(results: Results, burst: float) -> None:
    made = len(results.registrations)
    print(f"\nregistrations answered: {made} in {burst:.1f} s = {made / burst:.1f}/s")
    p50, p95 = (percentile(results.registrations, share) * 1000 for share in (0.5, 0.95))
    print(f"registration latency (with client retries): p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    for label, flag in (("during the mail hang", True), ("otherwise", False)):
        times = [elapsed for _, elapsed, in_hang in results.reads if in_hang is flag]
        print(
            f"reads {label}: {len(times)}, p50 {percentile(times, 0.5) * 1000:.0f} ms,"
            f" p95 {percentile(times, 0.95) * 1000:.0f} ms"
        )
    attempts = made + sum(results.errors.values())
    print("answers by kind (share of all attempts):")
    print(f"  ok {made} ({made / attempts:.1%})")
    for kind, count in results.errors.most_common():
        print(f"  {kind} {count} ({count / attempts:.1%})")


def check(stack: LocalStack, ids: list[int], results: Results, options) -> int:
    """Wait for the outbox to drain with the mail server up, then check the invariants."""
    stack.smtp.up()
    drain_started = time.monotonic()
    deadline = drain_started + options.drain_seconds
    while True:
        state = json.loads(
            stack.manage("shell", "--no-imports", "-c", CHECK.format(ids=ids)).stdout
        )
        pending = [d for d in state["deliveries"] if d[2] in ("pending", "sending")]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(2)
    registrations = state["registrations"]
    sent = Counter(reg for reg, _, status in state["deliveries"] if status == "sent")
    letters = Counter(address for address in stack.smtp.recipients())
    lost = [email for email in results.told if email not in registrations]
    live = {
        e: (status, pk)
        for e, (status, pk) in registrations.items()
        if status in ("pending", "waitlisted", "confirmed")
    }
    no_letter = [e for e, (_, pk) in live.items() if not sent.get(pk) or not letters.get(e)]
    duplicates = sum(letters.values()) - sum(sent.values())
    checks = {
        "sessions oversold": len(state["oversold"]),
        "registrations lost (told ok, not stored)": len(lost),
        "live registrations without their letter": len(no_letter),
        "letters sent twice (received - deliveries sent)": duplicates,
        "deliveries still pending after the drain": len(pending),
    }
    print(
        f"\noutbox drained {time.monotonic() - drain_started:.0f} s after the burst; "
        f"{len(registrations)} registrations, {sum(letters.values())} letters:"
    )
    for name, value in checks.items():
        print(f"  {name}: {value}")
    failed = [name for name, value in checks.items() if value]
    print("all invariants hold" if not failed else f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=40, help="seats per session")
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--drain-seconds", type=float, default=240)
    options = parser.parse_args(argv)
    return run(options)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
