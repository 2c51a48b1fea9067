"""Registrations under load: ``registerForSession`` through gunicorn on PostgreSQL.

It builds a throwaway database with a few excursion sessions, starts gunicorn with several
worker processes on 127.0.0.1, fires registration requests at it from many client threads
at once (distinct e-mails, parties of 1 to 4, spread over the sessions), and reports
throughput, latency percentiles and failures, then checks in the database that no session
was oversold and that every answer matches what was stored.

Usage (from the repository root)::

    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/booking_load.py
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/booking_load.py \\
        --workers 2 --clients 64 --requests 2000 --sessions 1 --capacity 500

PostgreSQL only (the seat counting relies on its row locks, and SQLite has no place
behind several server processes). The database ``DATABASE_URL`` names is never written
to: the run creates a ``test_…_booking_<pid>`` database next to it and drops it at the
end, and stops gunicorn first, also on errors and Ctrl-C. Nothing leaves the machine:
the clients talk to 127.0.0.1 only, and e-mails go to Django's in-memory backend.

A benchmark, not a test: timings never make it fail. It exits with 1 only when the
database check afterwards finds a booking rule broken, and with 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the server binds here and the clients call nothing else
DEFAULT_WORKERS = 4
DEFAULT_CLIENTS = 32
DEFAULT_REQUESTS = 1000
DEFAULT_SESSIONS = 5
DEFAULT_CAPACITY = 50
DEFAULT_TIME_LIMIT = 60  # seconds for the load itself; what is not sent by then is skipped
MAX_PARTY = 4  # parties of 1..MAX_PARTY, as the sessions allow (the factory's default)
REQUEST_TIMEOUT = 30  # seconds per request, client side
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer its first request
EXIT_CANNOT_RUN = 2
EXIT_CHECK_FAILED = 1

REGISTER = """mutation Register($input: RegisterForSessionInput!) {
  registerForSession(input: $input) {
    waitlisted
    registration { status seats }
    errors { field code message }
  }
}"""
PING = "query Ping { __typename }"

# Every request of the run is valid (distinct e-mails, open sessions, parties within the
# limit): the only business outcomes are held seats and the waitlist, and any ``errors``
# entry in the payload is a failure. A code listed here would be counted apart instead.
EXPECTED_ERROR_CODES: frozenset[str] = frozenset()


# ---------------------------------------------------------------------------- setup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Drive registerForSession through gunicorn on PostgreSQL and report "
        "throughput, latency and a correctness check from the database."
    )

    def positive(text: str) -> int:
        value = int(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
        return value

    parser.add_argument(
        "--workers",
        type=positive,
        default=DEFAULT_WORKERS,
        help="gunicorn worker processes (default: %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=positive,
        default=1,
        help="threads per worker: 1 runs sync workers, more runs gthread workers "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--clients",
        type=positive,
        default=DEFAULT_CLIENTS,
        help="concurrent client threads, each with its own connection (default: %(default)s)",
    )
    parser.add_argument(
        "--requests",
        type=positive,
        default=DEFAULT_REQUESTS,
        help="registration requests in all, each with its own e-mail (default: %(default)s)",
    )
    parser.add_argument(
        "--sessions",
        type=positive,
        default=DEFAULT_SESSIONS,
        help="sessions the requests are spread over at random (default: %(default)s)",
    )
    parser.add_argument(
        "--capacity",
        type=positive,
        default=DEFAULT_CAPACITY,
        help="seats per session, at most 500 (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="seed for the sessions and party sizes of the requests (default: %(default)s)",
    )
    parser.add_argument(
        "--time-limit",
        type=positive,
        default=DEFAULT_TIME_LIMIT,
        help="seconds the load may take; requests not sent by then are skipped "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="the PostgreSQL server to run on; the benchmark creates and drops a database "
        "of its own there (default: $DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    if args.capacity > 500:
        parser.error("--capacity must be at most 500 (the sessions' own limit)")
    return args


def refuse(message: str) -> None:
    """The benchmark cannot run (or its server cannot start): say why, exit with code 2."""
    print(f"bench/booking_load.py: {message}", file=sys.stderr)
    raise SystemExit(EXIT_CANNOT_RUN)


def check_prerequisites(database_url: str) -> None:
    """PostgreSQL and gunicorn, or a clear message and exit code 2."""
    import importlib.util

    import dj_database_url

    run_it = (
        "Run it on a throwaway cluster:\n"
        "  .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/booking_load.py"
    )
    if not database_url:
        refuse(f"needs a PostgreSQL server in DATABASE_URL (or --database-url).\n{run_it}")
    engine = dj_database_url.parse(database_url)["ENGINE"]
    if engine != "django.db.backends.postgresql":
        refuse(
            f"needs PostgreSQL, DATABASE_URL is {engine.rsplit('.', 1)[-1]}: seat counting "
            f"relies on PostgreSQL's row locks, and SQLite is not for several server "
            f"processes.\n{run_it}"
        )
    if importlib.util.find_spec("gunicorn") is None:
        refuse(
            "needs gunicorn (the project's `production` extra), which is not installed:\n"
            "  .venv/bin/pip install gunicorn     (or: make bench-booking, which installs it)"
        )


def bench_environment(var_dir: Path) -> dict[str, str]:
    """What both this process and gunicorn run with (DATABASE_URL is added per process)."""
    static_root = var_dir / "static"
    static_root.mkdir(exist_ok=True)  # whitenoise warns about a missing folder otherwise
    env = {
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 32,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "USE_X_FORWARDED_FOR": "false",
        # Every request comes from 127.0.0.1: lift the per-IP hourly limit.
        "BOOKING_RATE_LIMIT_PER_HOUR": str(10**9),
        # E-mails are rendered and "sent" as in production, but into memory.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VAR_DIR": str(var_dir),  # uploads, if any, land in the temporary folder
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    return env


def start_django(env: dict[str, str], database_url: str) -> None:
    # Local memory cache per process, and tasks run in the request (the defaults).
    for name in ("CACHE_URL", "TASKS_BACKEND"):
        os.environ.pop(name, None)
    os.environ.update(env)
    os.environ["DATABASE_URL"] = database_url
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))

    import django

    django.setup()


def create_database() -> str:
    """Create and migrate a database of our own next to the configured one; its name."""
    from django.db import connection

    configured_name = connection.settings_dict["NAME"]
    # A name no other run uses (pytest's test_<name> included), so nothing is clobbered.
    connection.settings_dict["TEST"]["NAME"] = f"test_{configured_name}_booking_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection.settings_dict["NAME"]


def drop_database(configured_name: str) -> None:
    """Drop our database; the server may take a moment to notice gunicorn's connections end."""
    from django.db import DatabaseError, connection

    if connection.settings_dict["NAME"] == configured_name:
        return  # interrupted before ours was created: nothing to drop (never the configured one)
    for attempt in range(10):
        try:
            connection.creation.destroy_test_db(configured_name, verbosity=0)
            return
        except DatabaseError as error:
            if attempt == 9:
                print(
                    f"bench: could not drop {connection.settings_dict['NAME']}: {error}",
                    file=sys.stderr,
                )
                return
            time.sleep(1)


def database_url_for(database_url: str, name: str) -> str:
    """The same server and credentials, another database."""
    return urlsplit(database_url)._replace(path="/" + name).geturl()


def build_sessions(count: int, capacity: int) -> list[tuple[int, int]]:
    """A home page, one enterprise and ``count`` open sessions; [(id, capacity)]."""
    from wagtail.models import Page, Site

    from tests import factories

    home = factories.HomePageFactory(parent=Page.get_first_root_node(), slug="open-mosprom")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    enterprise_index = factories.EnterpriseIndexPageFactory(parent=home)
    enterprise = factories.EnterprisePageFactory(parent=enterprise_index)
    sessions = [
        # Ten days ahead: registration is open (it closes three days before).
        factories.TourSessionFactory(
            enterprise=enterprise, capacity=capacity, max_party_size=min(MAX_PARTY, capacity)
        )
        for _ in range(count)
    ]
    return [(session.pk, session.capacity) for session in sessions]


# ---------------------------------------------------------------------------- CPU time


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def process_tree_cpu(pid: int | None) -> float | None:
    """CPU seconds of a process, its live children and the children it has reaped.

    For gunicorn's master that is every worker, for PostgreSQL's postmaster every backend
    (also those that served one request and exited). Linux only: None without /proc.
    """
    fields = _proc_stat(pid) if pid else None
    if fields is None:
        return None
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            child = _proc_stat(int(entry.name))
            if child is not None and child[1] == str(pid):  # its parent is pid
                ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid() -> int | None:
    """PostgreSQL's main process, if the server runs on this machine and /proc shows it."""
    from django.db import connection

    if connection.settings_dict["HOST"] not in ("", "localhost", "127.0.0.1", "::1"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _proc_stat(backend)
    if fields is None:
        return None
    parent = int(fields[1])
    try:
        with open(f"/proc/{parent}/cmdline", "rb") as handle:
            is_postgres = b"postgres" in handle.read()
    except OSError:
        return None
    return parent if is_postgres else None


class CpuMeter:
    """CPU seconds spent between start() and stop() by gunicorn, PostgreSQL and the clients."""

    def __init__(self, gunicorn_pid: int, postgres_pid: int | None) -> None:
        self.pids = {"gunicorn": gunicorn_pid, "postgres": postgres_pid}
        self.spent: dict[str, float | None] = {}

    def sample(self) -> dict[str, float | None]:
        now = {name: process_tree_cpu(pid) for name, pid in self.pids.items()}
        now["clients"] = time.process_time()  # this process: the client threads
        return now

    def start(self) -> None:
        self._before = self.sample()
        self.load_before = os.getloadavg()

    def stop(self) -> None:
        after = self.sample()
        self.load_after = os.getloadavg()
        self.spent = {
            name: None if after[name] is None or before is None else after[name] - before
            for name, before in self._before.items()
        }


# ---------------------------------------------------------------------------- gunicorn


class Server:
    """gunicorn serving cms.wsgi on a socket we bind ourselves (no free-port race)."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], log_path: Path) -> None:
        import gunicorn.config

        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(2048)  # all clients connect at once; none must be refused
        self.port = self.listener.getsockname()[1]
        self.log_path = log_path
        self.worker_class = "sync" if args.threads == 1 else "gthread"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            *("--bind", f"fd://{self.listener.fileno()}"),
            *("--workers", str(args.workers)),
            *("--worker-class", self.worker_class),
            *("--threads", str(args.threads)),
            *("--chdir", str(REPO_ROOT)),
            *("--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"),
        ]
        if hasattr(gunicorn.config, "ControlSocketDisable"):
            # gunicorn ≥ 24 opens a control socket at ~/.gunicorn/gunicorn.ctl by default,
            # one path for every gunicorn of the user: not ours to take.
            command.append("--no-control-socket")
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            pass_fds=(self.listener.fileno(),),
            # Its own process group: a Ctrl-C reaches us only, and we stop gunicorn
            # before dropping the database its workers are connected to.
            start_new_session=True,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                refuse(f"gunicorn exited with code {self.process.returncode}:\n{self.tail()}")
            reply = post(new_connection(self.port, timeout=5), {"query": PING})
            if reply.status == 200:
                return
            time.sleep(0.2)
        refuse(f"gunicorn did not answer in {STARTUP_TIMEOUT} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        if not self.log.closed:
            self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Graceful stop (TERM), then SIGKILL for the whole group; never raises."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"bench: could not stop gunicorn ({self.process.pid}): {error}", file=sys.stderr)
        finally:
            self.listener.close()
            self.log.close()


# ---------------------------------------------------------------------------- clients


@dataclass
class Reply:
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    body: dict | str
    ms: float = 0.0


@dataclass
class Result:
    """One registration request and what came of it."""

    session_id: int
    seats: int
    outcome: str  # "held", "waitlisted", "expected:<code>" or "failed:<why>"
    ms: float | None  # None when no HTTP answer came
    detail: str = ""


def new_connection(port: int, timeout: float = REQUEST_TIMEOUT) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=timeout)


def post(connection: http.client.HTTPConnection, document: dict) -> Reply:
    """POST one GraphQL document; HTTP/1.1 keeps the connection open if the server does."""
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    started = time.perf_counter()
    try:
        connection.request("POST", "/graphql/", body, headers)
        response = connection.getresponse()
        content = response.read()
    except (OSError, http.client.HTTPException) as error:
        connection.close()  # the next request opens a fresh one
        return Reply(0, repr(error), (time.perf_counter() - started) * 1000)
    ms = (time.perf_counter() - started) * 1000
    try:
        return Reply(response.status, json.loads(content), ms)
    except ValueError:
        return Reply(response.status, content[:300].decode(errors="replace"), ms)


def classify(reply: Reply) -> tuple[str, str]:
    """(outcome, detail) of a registration reply; see Result.outcome."""
    if reply.status == 0:
        return "failed:no answer", str(reply.body)
    if reply.status != 200 or not isinstance(reply.body, dict):
        return f"failed:HTTP {reply.status}", str(reply.body)[:300]
    if reply.body.get("errors"):
        return "failed:GraphQL error", json.dumps(reply.body["errors"], ensure_ascii=False)[:300]
    payload = (reply.body.get("data") or {}).get("registerForSession")
    if not payload:
        return "failed:no payload", json.dumps(reply.body, ensure_ascii=False)[:300]
    if payload["errors"]:
        codes = sorted({error["code"] for error in payload["errors"]})
        detail = json.dumps(payload["errors"], ensure_ascii=False)[:300]
        if set(codes) <= EXPECTED_ERROR_CODES:
            return "expected:" + ",".join(codes), detail
        return "failed:" + ",".join(codes), detail
    registration = payload["registration"] or {}
    if registration.get("status") == "PENDING" and payload["waitlisted"] is False:
        return "held", ""
    if registration.get("status") == "WAITLISTED" and payload["waitlisted"] is True:
        return "waitlisted", ""
    return "failed:unexpected receipt", json.dumps(payload, ensure_ascii=False)[:300]


def plan_requests(count: int, sessions: list[tuple[int, int]], seed: int) -> list[tuple[int, dict]]:
    """[(session id, GraphQL document)]: random sessions and party sizes, distinct e-mails."""
    rng = random.Random(seed)
    plan = []
    for number in range(count):
        session_id, capacity = rng.choice(sessions)
        variables = {
            "input": {
                "sessionId": str(session_id),
                "name": f"Посетитель Нагрузочный {number}",
                "email": f"load-{seed}-{number}@example.org",
                "phone": f"+7 900 {number % 10_000_000:07d}",
                "seats": rng.randint(1, min(MAX_PARTY, capacity)),
                "consentToProcessing": True,
                "consentToTransfer": True,
            }
        }
        plan.append((session_id, {"query": REGISTER, "variables": variables}))
    return plan


@dataclass
class Load:
    results: list[Result] = field(default_factory=list)
    skipped: int = 0  # not sent: the time limit came first
    connections: int = 0  # TCP connections the clients opened
    wall_seconds: float = 0.0
    cpu: CpuMeter | None = None


def run_clients(
    port: int, clients: int, jobs: list[tuple[int, dict]], handle, time_limit: float
) -> tuple[list, int, int, float]:
    """Send ``jobs`` from ``clients`` threads at once; (handled replies, skipped, connections,
    wall seconds). ``handle(job, reply)`` turns each reply into what is kept."""
    lock = threading.Lock()
    queue = iter(jobs)
    kept: list = []
    opened = [0]
    stop = threading.Event()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        connection = new_connection(port)
        barrier.wait()
        while not stop.is_set() and time.monotonic() < deadline[0]:
            with lock:
                job = next(queue, None)
            if job is None:
                break
            if connection.sock is None:  # first request, or the server closed it
                with lock:
                    opened[0] += 1
            reply = post(connection, job[1])
            item = handle(job, reply)
            with lock:
                kept.append(item)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + time_limit
    started = time.perf_counter()
    barrier.wait()
    try:
        for thread in threads:
            # A timeout keeps the main thread responsive to Ctrl-C while clients run.
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        stop.set()
    wall = time.perf_counter() - started
    return kept, len(jobs) - len(kept), opened[0], wall


def warm_up(port: int, clients: int) -> None:
    """Two untimed pings per client, all at once, so the workers load the URLs and the schema
    before the timed requests (with that many connections each worker gets some)."""
    jobs = [(0, {"query": PING})] * (2 * clients)
    replies, _, _, _ = run_clients(port, clients, jobs, lambda job, reply: reply, STARTUP_TIMEOUT)
    bad = [reply for reply in replies if reply.status != 200]
    if bad:
        refuse(f"the warm-up requests failed, e.g. {bad[0]}")


def run_load(
    port: int, args: argparse.Namespace, plan: list[tuple[int, dict]], cpu: CpuMeter
) -> Load:
    def handle(job: tuple[int, dict], reply: Reply) -> Result:
        session_id, document = job
        outcome, detail = classify(reply)
        seats = document["variables"]["input"]["seats"]
        return Result(session_id, seats, outcome, reply.ms if reply.status else None, detail)

    cpu.start()
    results, skipped, opened, wall = run_clients(port, args.clients, plan, handle, args.time_limit)
    cpu.stop()
    return Load(results, skipped, opened, wall, cpu)


# ---------------------------------------------------------------------------- the check


@dataclass
class Check:
    ok: bool
    text: str


def check_database(sessions: list[tuple[int, int]], results: list[Result]) -> list[Check]:
    """What the database holds after the run, against the booking rules and the receipts."""
    from django.db.models import Count, Min, Q, Sum

    from booking.models import ACTIVE_STATUSES, Consent, Registration

    status = Registration.Status
    holding = Q(status__in=[status.PENDING, status.CONFIRMED])
    waiting = Q(status=status.WAITLISTED)
    per_session = Registration.objects.values("session_id").annotate(
        held_seats=Sum("seats", filter=holding, default=0),
        held=Count("pk", filter=holding),
        waitlisted=Count("pk", filter=waiting),
        other=Count("pk", filter=~(holding | waiting)),
        smallest_waiting=Min("seats", filter=waiting),
    )
    rows = {row["session_id"]: row for row in per_session}
    empty = {"held_seats": 0, "held": 0, "waitlisted": 0, "other": 0, "smallest_waiting": None}
    receipts: dict[int, Counter] = defaultdict(Counter)
    for result in results:
        if result.outcome in ("held", "waitlisted"):
            receipts[result.session_id][result.outcome] += 1

    capacity_ok, receipts_ok, fits_ok = True, True, True
    capacity_cells, receipt_cells, fits_cells = [], [], []
    for session_id, capacity in sessions:
        row = rows.get(session_id, empty)
        capacity_ok &= row["held_seats"] <= capacity
        capacity_cells.append(f"{row['held_seats']}/{capacity}")
        got = receipts[session_id]
        receipts_ok &= (row["held"], row["waitlisted"], row["other"]) == (
            got["held"],
            got["waitlisted"],
            0,
        )
        receipt_cells.append(
            f"{row['held']}+{row['waitlisted']}"
            + (f"(+{row['other']} other)" if row["other"] else "")
            + f"={got['held'] + got['waitlisted']}"
        )
        # No cancellations and no expired holds in a run: seats left never grow, so a party
        # waitlisted because it did not fit still does not fit at the end.
        left = capacity - row["held_seats"]
        smallest = row["smallest_waiting"]
        fits_ok &= smallest is None or smallest > left
        fits_cells.append(f"{left} left/{smallest or '-'}")

    duplicates = (
        Registration.objects.filter(status__in=ACTIVE_STATUSES)
        .values("session_id", "email")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    registrations = Registration.objects.count()
    consents = Consent.objects.count()
    return [
        Check(
            capacity_ok,
            f"seats held (pending + confirmed) <= capacity: {', '.join(capacity_cells)}",
        ),
        Check(
            duplicates == 0,
            f"no (session, e-mail) with two active registrations: {duplicates} found",
        ),
        Check(
            receipts_ok,
            f"held + waitlisted rows = receipts, per session: {', '.join(receipt_cells)}",
        ),
        Check(
            fits_ok,
            "no waitlisted party fits the seats left (left/smallest waiting party): "
            + ", ".join(fits_cells),
        ),
        Check(
            consents == 2 * registrations,
            f"two consents per registration: {consents} for {registrations} registrations",
        ),
    ]


# ---------------------------------------------------------------------------- report


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a sorted, non-empty list."""
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def describe_environment(args: argparse.Namespace, worker_class: str) -> list[str]:
    import django
    import gunicorn
    import wagtail
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    threads = f" × {args.threads} threads" if args.threads > 1 else ""
    conn_max_age = os.environ.get("DB_CONN_MAX_AGE") or "0"
    return [
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, gunicorn {gunicorn.__version__}, "
        f"PostgreSQL {server_version}, {os.cpu_count()} CPUs",
        f"server:   {args.workers} {worker_class} workers{threads} on {HOST}, "
        f"DB_CONN_MAX_AGE={conn_max_age}, e-mails rendered in the request "
        f"(immediate tasks, locmem backend)",
        f"clients:  {args.clients} threads, HTTP/1.1 keep-alive, "
        f"{args.requests} requests with distinct e-mails",
        f"sessions: {args.sessions} × {args.capacity} seats, "
        f"parties of 1–{min(MAX_PARTY, args.capacity)} at random, seed {args.seed}",
    ]


def format_report(load: Load, worker_class: str) -> list[str]:
    results = load.results
    outcomes = Counter(result.outcome for result in results)
    held, waitlisted = outcomes["held"], outcomes["waitlisted"]
    receipts = held + waitlisted
    failed = sum(n for outcome, n in outcomes.items() if outcome.startswith("failed:"))
    expected = sum(n for outcome, n in outcomes.items() if outcome.startswith("expected:"))
    seats = sum(result.seats for result in results if result.outcome == "held")
    latencies = sorted(result.ms for result in results if result.ms is not None)
    wall = load.wall_seconds
    sent = len(results)
    lines = [
        f"requests       {sent:,} sent"
        + (f", {load.skipped:,} skipped at the time limit" if load.skipped else "")
        + f", over {load.connections:,} connections"
        + (" (sync workers close each one)" if worker_class == "sync" else ""),
        f"wall time      {wall:.2f} s",
        f"throughput     {receipts / wall:.1f} registrations/s ({sent / wall:.1f} requests/s)",
    ]
    if latencies:
        lines.append(
            f"latency        p50 {percentile(latencies, 0.50):.1f} ms, "
            f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms "
            f"(mean {statistics.fmean(latencies):.1f}, max {latencies[-1]:.1f})"
        )
    lines.append(
        f"outcomes       held {held:,} ({seats:,} seats), waitlisted {waitlisted:,}"
        + (f", expected refusals {expected:,}" if expected else "")
        + f", failed {failed:,} ({failed / sent:.1%} of requests sent)"
        if sent
        else "outcomes       none: no request was sent"
    )
    for outcome, n in sorted(outcomes.items()):
        if outcome.startswith(("failed:", "expected:")):
            example = next(r.detail for r in results if r.outcome == outcome)
            lines.append(f"  {outcome}: {n:,}, e.g. {example}")
    if load.cpu is not None and sent:
        lines += format_cpu(load.cpu, sent)
    return lines


def format_cpu(cpu: CpuMeter, sent: int) -> list[str]:
    """CPU milliseconds per request, and the machine's load while the requests ran."""
    names = {"gunicorn": "gunicorn", "postgres": "PostgreSQL", "clients": "clients"}
    known = {name: spent for name, spent in cpu.spent.items() if spent is not None}
    lines = []
    if known:
        parts = [f"{names[name]} {spent * 1000 / sent:.1f} ms" for name, spent in known.items()]
        lines.append(f"CPU/request    {', '.join(parts)}")
        if len(known) == len(cpu.spent) and sum(known.values()):
            # The figure a quiet machine approaches, lock waits and I/O aside.
            ceiling = os.cpu_count() * sent / sum(known.values())
            lines.append(
                f"               ≈ {ceiling:.0f} requests/s if the run had the "
                f"{os.cpu_count()} CPUs to itself"
            )
    before, after = cpu.load_before[0], cpu.load_after[0]
    lines.append(
        f"machine        load average {before:.1f} at the start, {after:.1f} at the end "
        f"({os.cpu_count()} CPUs)"
    )
    return lines


# ---------------------------------------------------------------------------- main


def raise_on_sigterm() -> None:
    """SIGTERM (e.g. from scripts/with_postgres.py) unwinds like Ctrl-C: cleanup runs."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_prerequisites(args.database_url)
    raise_on_sigterm()
    started = time.perf_counter()
    var_dir = Path(tempfile.mkdtemp(prefix="mosprom-bench-booking-"))
    try:
        env = bench_environment(var_dir)
        start_django(env, args.database_url)
        from django.db import connection

        configured_name = connection.settings_dict["NAME"]
        try:
            print("Setting up a throwaway database…", file=sys.stderr, flush=True)
            database_name = create_database()
            sessions = build_sessions(args.sessions, args.capacity)
            environment = describe_environment(args, "sync" if args.threads == 1 else "gthread")
            postgres_pid = postmaster_pid()
            connection.close()  # idle during the load; reopened for the check
            server_env = {**os.environ, **env}
            server_env["DATABASE_URL"] = database_url_for(args.database_url, database_name)
            print(f"Starting gunicorn ({args.workers} workers)…", file=sys.stderr, flush=True)
            server = Server(args, server_env, var_dir / "gunicorn.log")
            try:
                server.wait_until_ready()
                warm_up(server.port, args.clients)
                print(
                    f"Sending {args.requests} registrations from {args.clients} clients…",
                    file=sys.stderr,
                    flush=True,
                )
                plan = plan_requests(args.requests, sessions, args.seed)
                setup_seconds = time.perf_counter() - started
                cpu = CpuMeter(server.process.pid, postgres_pid)
                load = run_load(server.port, args, plan, cpu)
            finally:
                server.stop()
            failures = any(result.outcome.startswith("failed:") for result in load.results)
            server_log = server.tail(15) if failures else ""
            checks = check_database(sessions, load.results)
        finally:
            drop_database(configured_name)
    except KeyboardInterrupt:
        print("bench: interrupted; gunicorn stopped and the database dropped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    print()
    print("Booking under load: registerForSession through gunicorn on PostgreSQL")
    print("\n".join(environment))
    print()
    print("\n".join(format_report(load, server.worker_class)))
    if server_log:
        print("\nlast lines of gunicorn's log:\n" + server_log)
    print()
    print("Correctness, from the database after the run:")
    for check in checks:
        print(f"{'OK' if check.ok else 'FAILED':<7} {check.text}")
    print(
        f"(whole run: {time.perf_counter() - started:.0f} s, of which setup "
        f"{setup_seconds:.0f} s: migrating, building the sessions, starting gunicorn)"
    )
    return 0 if all(check.ok for check in checks) else EXIT_CHECK_FAILED


if __name__ == "__main__":
    sys.exit(main())
