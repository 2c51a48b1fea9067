#!/usr/bin/env python3
"""Bounded fuzzing of the public GraphQL endpoint with schemathesis's GraphQL mode.

Usage::

    .venv/bin/python scripts/fuzz_graphql.py [--seconds N] [--max-examples N] [--seed N]
    scripts/with_postgres.py -- .venv/bin/python scripts/fuzz_graphql.py

What it does:

1. Makes a temporary folder (VAR_DIR: the SQLite file and uploads), migrates the database
   and loads the demo content, with ``cms.settings_test`` (DEBUG off, local-memory cache,
   in-process tasks, local-memory e-mail). SQLite unless DATABASE_URL is set, as
   scripts/with_postgres.py does; that database must be empty (it is migrated and filled).
2. Starts the app on a free port of 127.0.0.1 (Django's runserver WSGI server, in a
   process of its own, its log captured), with the booking rate limits raised so that
   mutations get past RATE_LIMITED.
3. Sends a fixed list of hostile requests (known crashes that must stay fixed).
4. Generates queries and mutations from the committed ``schema.graphql`` (positive and
   negative cases, real slugs and ids from the demo content mixed in), round-robin over
   all root fields, until ``--max-examples`` per field and mode or the time is up.

Every response must be JSON, not 5xx, and carry no error with
``extensions.code == "INTERNAL_ERROR"``. Failures are grouped by field and by the server's
exception (type and innermost frame in product code, read from the server log) and printed
with the query that caused them; the exit code is 1 if there was any, 2 if the harness
itself could not run, else 0. ``--seconds`` bounds the whole run, setup included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema.graphql"
INTERNAL_ERROR = "INTERNAL_ERROR"
REQUEST_TIMEOUT = 30
# Seconds kept back from --seconds for stopping the server and printing the summary.
RESERVE_SECONDS = 5
# Examples per field and mode in one round-robin turn: every field gets a turn early, so
# a short budget still covers the whole schema.
POSITIVE_BATCH = 20
NEGATIVE_BATCH = 10


class Interrupted(BaseException):
    """SIGTERM/SIGINT: a BaseException, so Hypothesis lets it through instead of shrinking."""


class OutOfTime(BaseException):
    """Raised inside a Hypothesis run to end it at once when the budget is spent."""


# --- results --------------------------------------------------------------------------------


@dataclass
class Failure:
    label: str  # root field ("Query.news") or hostile request name
    problem: str  # what was wrong with the response
    status: int | None
    payload: str  # the request body as sent (text, trimmed)
    exception: str = ""  # from the server log: "module.Type: message"
    frame: str = ""  # innermost frame in product code: "path:line in function"
    count: int = 1


@dataclass
class Stats:
    sent: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_label: Counter = field(default_factory=Counter)
    failures: dict[tuple, Failure] = field(default_factory=dict)
    harness_errors: list[str] = field(default_factory=list)

    def add_failure(self, failure: Failure, key: tuple) -> None:
        if key in self.failures:
            self.failures[key].count += 1
        else:
            self.failures[key] = failure


def trim(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text)} chars]"


# --- the server's log -----------------------------------------------------------------------

FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$')


def parse_traceback(log: str) -> tuple[str, str]:
    """(last exception line, innermost product-code frame) of the tracebacks in ``log``."""
    exception, frame, product_frames = "", "", []
    lines = log.splitlines()
    in_trace = False
    for line in lines:
        if line.startswith("Traceback (most recent call last):"):
            in_trace = True
            continue
        if not in_trace:
            continue
        match = FRAME.match(line)
        if match:
            path = match["path"]
            # Product code: this checkout, not the virtualenv's packages.
            if path.startswith(str(ROOT)) and "/.venv/" not in path:
                rel = os.path.relpath(path, ROOT)
                product_frames.append(f"{rel}:{match['line']} in {match['func']}")
            continue
        if line and not line[0].isspace():
            exception = line  # "pkg.Type: message" ends a traceback block
            in_trace = False
    if product_frames:
        frame = product_frames[-1]
    return exception, frame


class ServerLog:
    """Reads what the server wrote since the last call (requests are sent one at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def new_text(self) -> str:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        self.offset += len(data)
        return data.decode("utf-8", errors="replace")


# --- sending and checking -------------------------------------------------------------------


class Client:
    def __init__(self, url: str, log: ServerLog, stats: Stats, server: subprocess.Popen) -> None:
        self.url = url
        self.log = log
        self.stats = stats
        self.server = server
        self.http = requests.Session()
        # No proxies from the environment: the loopback server only, never the network.
        self.http.trust_env = False

    def post(self, label: str, body: bytes, content_type: str = "application/json") -> None:
        """Send one request and record what was wrong with its answer, if anything."""
        self.log.new_text()  # drop earlier output (access lines of the previous request)
        self.stats.sent += 1
        self.stats.by_label[label] += 1
        payload = body.decode("utf-8", errors="backslashreplace")
        try:
            response = self.http.post(
                self.url,
                data=body,
                headers={"Content-Type": content_type},
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            self.stats.by_status["no answer"] += 1
            # Let the server finish writing whatever it logged.
            time.sleep(0.2)
            self.record(label, f"no answer: {type(exc).__name__}", None, payload)
            if self.server.poll() is not None:
                code = self.server.returncode
                raise RuntimeError(f"the server exited with code {code}") from exc
            return
        self.stats.by_status[response.status_code] += 1
        problems = check_response(response)
        if problems:
            self.record(label, "; ".join(problems), response.status_code, payload)

    def record(self, label: str, problem: str, status: int | None, payload: str) -> None:
        exception, frame = parse_traceback(self.log.new_text())
        # Group by field and by the server's exception where it was logged (its message
        # holds the generated data, so only the type and place), else by the problem.
        exc_type = exception.split(":", 1)[0]
        key = (label, exc_type, frame) if exception else (label, problem, status)
        failure = Failure(label, problem, status, trim(payload, 800), trim(exception, 400), frame)
        self.stats.add_failure(failure, key)


def check_response(response: requests.Response) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"HTTP {response.status_code}")
    try:
        data = json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        ctype = response.headers.get("Content-Type", "?")
        problems.append(f"non-JSON body ({ctype}): {trim(response.text, 120)!r}")
        return problems
    if not isinstance(data, dict):
        problems.append("JSON body is not an object")
        return problems
    errors = data.get("errors") or []
    if not isinstance(errors, list):
        problems.append("`errors` is not a list")
        return problems
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") == INTERNAL_ERROR:
            path = ".".join(str(part) for part in error.get("path") or [])
            problems.append(f"{INTERNAL_ERROR} at {path or '(no path)'}")
    return problems


# --- hand-made hostile requests -------------------------------------------------------------

REGISTER = (
    "mutation($input: RegisterForSessionInput!) { registerForSession(input: $input) "
    "{ errors { field code message } waitlisted registration { status seats } } }"
)


def gql(query: str, variables: dict | None = None) -> bytes:
    body: dict = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return json.dumps(body).encode()


def raw(template: str, **parts: str) -> bytes:
    """A body written by hand: json.dumps never writes lone surrogates or deep nesting."""
    return template.replace("'", '"').format(**parts).encode("utf-8", errors="surrogatepass")


def hostile_requests() -> list[tuple[str, bytes, str]]:
    """(name, body, content type): each once per run; they crashed the server once."""
    nested = "[" * 15_000 + "]" * 15_000
    slug_query = "query($s: String!) {{ {field}(slug: $s) {{ title }} }}"
    search_query = "query($s: String) { newsList(search: $s) { totalCount } }"
    registration = {
        "sessionId": "²",
        "name": "Иван Петров",
        "email": "fuzz@example.org",
        "phone": "+79991234567",
        "seats": 1,
        "consentToProcessing": True,
        "consentToTransfer": True,
    }
    listing = "{{ {field}(orderBy: null) {{ edges {{ node {{ slug }} }} }} }}"
    items = [
        (f"{name}(orderBy: null)", gql(listing.format(field=name)))
        for name in ("enterprises", "newsList")
    ]
    items += [
        (f"{name}(slug: NUL)", gql(slug_query.format(field=name), {"s": "a\x00b"}))
        for name in ("news", "enterprise", "videoSeries")
    ]
    items += [
        (
            "page(urlPath: NUL)",
            gql("query($p: String!) { page(urlPath: $p) { title } }", {"p": "/novosti/\x00/"}),
        ),
        ("news(slug: NUL literal)", gql('{ news(slug: "\\u0000") { title } }')),
        (
            "news(slug: lone surrogate)",
            raw(
                "{{'query': {q}, 'variables': {{'s': '\\ud800'}}}}",
                q=json.dumps(slug_query.format(field="news")),
            ),
        ),
        (
            "newsList(search: lone surrogate)",
            raw("{{'query': {q}, 'variables': {{'s': 'x\\ud800y'}}}}", q=json.dumps(search_query)),
        ),
        ('session(id: "²")', gql('{ session(id: "²") { id } }')),
        ('registerForSession(sessionId: "²")', gql(REGISTER, {"input": registration})),
        (
            "JSON nested 15000 deep in the body",
            raw("{{'query': '{{ __typename }}', 'extensions': {n}}}", n=nested),
        ),
        (
            "JSON nested 15000 deep in variables",
            raw("{{'query': '{{ __typename }}', 'variables': {{'v': {n}}}}}", n=nested),
        ),
        (
            "JSON nested 15000 deep in variables (as a JSON string)",
            raw("{{'query': '{{ __typename }}', 'variables': {n}}}", n=json.dumps(nested)),
        ),
        ('newsList(search: "\\"\\"\\"")', gql('{ newsList(search: "\\"\\"\\"") { totalCount } }')),
        ('newsList(search: $s = """)', gql(search_query, {"s": '"""'})),
    ]
    json_type = "application/json"
    typed = [(name, body, json_type) for name, body in items]
    typed += [
        (
            "invalid UTF-8, application/graphql",
            b'{ news(slug: "\xff\xfe") { id } }',
            "application/graphql",
        ),
        (
            "invalid UTF-8, application/json",
            b'{"query": "{ news(slug: \\"\xff\\") { id } }"}',
            json_type,
        ),
    ]
    return typed


# --- real values from the demo content ------------------------------------------------------

HARVEST_QUERY = """{
  sessions(includePast: true, first: 100) { edges { node { id } } }
  newsList(first: 100) { edges { node { slug url } } }
  enterprises(first: 100) { edges { node { slug url } } }
  videoSeriesList(first: 100) { edges { node { slug url } } }
  industries(first: 100) { edges { node { slug } } }
  districts(first: 100) { edges { node { slug } } }
  formats(first: 100) { edges { node { slug } } }
  seasons(first: 100) { edges { node { slug } } }
}"""

# Strings that broke parsers, ORMs or encoders before; a few per cent of generated strings.
# Type-wide: any String/ID argument, now and then.
NASTY_BINDING = {"dictionaries": {"string": {"dictionary": "nasty", "probability": 0.05}}}
NASTY_STRINGS = [
    "\x00",
    "²",
    "٣",
    '"""',
    "'",
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "99999999999999999999999",
    "-1",
    "0",
    "1.5",
    "NaN",
    "1e309",
    "",
    " ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "a" * 3000,
]


def harvest(client: requests.Session, url: str) -> dict[str, list[str]]:
    """Slugs, ids and paths of the demo content, for the generated arguments."""
    found: dict[str, list[str]] = {}
    try:
        response = client.post(url, json={"query": HARVEST_QUERY}, timeout=REQUEST_TIMEOUT)
        data = response.json().get("data") or {}
    except (requests.RequestException, ValueError) as exc:
        print(f"fuzz: could not read demo content ids ({exc}); fuzzing without them")
        return found

    def nodes(name: str) -> list[dict]:
        connection = data.get(name) or {}
        return [edge["node"] for edge in connection.get("edges") or [] if edge and edge["node"]]

    found["session_ids"] = [node["id"] for node in nodes("sessions")]
    for name in ("newsList", "enterprises", "videoSeriesList"):
        found[f"{name}_slugs"] = [node["slug"] for node in nodes(name)]
        found.setdefault("paths", []).extend(urlsplit(node["url"]).path for node in nodes(name))
    for name in ("industries", "districts", "formats", "seasons"):
        found[f"{name}_slugs"] = [node["slug"] for node in nodes(name)]
    return {name: values for name, values in found.items() if values}


def schemathesis_config(values: dict[str, list[str]]):
    """Dictionaries of real values for the arguments that name content, and nasty strings."""
    from schemathesis.config import SchemathesisConfig

    dictionaries = {"nasty": {"values": NASTY_STRINGS}}
    dictionaries["booking_name"] = {"values": ["Иван Петров", "Anna Smith"]}
    dictionaries["booking_email"] = {"values": ["fuzz@example.org", "fuzz+2@example.org"]}
    dictionaries["booking_phone"] = {"values": ["+79991234567", "+7 (999) 123-45-67"]}
    dictionaries["booking_seats"] = {"values": [1, 2, 3]}
    dictionaries.update({name: {"values": items} for name, items in values.items()})
    bindings = {
        "Query.session.id": "session_ids",
        "Mutation.registerForSession.input.sessionId": "session_ids",
        "Mutation.registerForSession.input.name": "booking_name",
        "Mutation.registerForSession.input.email": "booking_email",
        "Mutation.registerForSession.input.phone": "booking_phone",
        "Mutation.registerForSession.input.seats": "booking_seats",
        "Query.news.slug": "newsList_slugs",
        "Query.enterprise.slug": "enterprises_slugs",
        "Query.videoSeries.slug": "videoSeriesList_slugs",
        "Query.page.urlPath": "paths",
        "Query.sessions.enterprise": "enterprises_slugs",
        "Query.newsList.enterprise": "enterprises_slugs",
        "Query.sessions.industry": "industries_slugs",
        "Query.enterprises.industry": "industries_slugs",
        "Query.newsList.industry": "industries_slugs",
        "Query.enterprises.district": "districts_slugs",
        "Query.sessions.format": "formats_slugs",
        "Query.enterprises.format": "formats_slugs",
        "Query.sessions.season": "seasons_slugs",
    }
    parameters = {
        key: {"dictionary": name, "probability": 0.6}
        for key, name in bindings.items()
        if name in dictionaries
    }
    return SchemathesisConfig.from_dict(
        {
            "dictionaries": dictionaries,
            "parameters": parameters,
            "generation": NASTY_BINDING,
        }
    )


def register_scalars() -> None:
    """Strategies for the schema's custom scalars: mostly valid values, now and then odd ones."""
    import schemathesis
    from hypothesis import strategies as st
    from schemathesis.graphql import nodes

    def mostly(valid, odd: list[str]):
        # one_of picks its branches about evenly: four valid ones to one odd one.
        return st.one_of(valid, valid, valid, valid, st.sampled_from(odd))

    decimals = st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    odd_decimals = ["NaN", "Infinity", "-Infinity", "-0", "1e999999", "1e-999999", "", "²", "1,5"]
    schemathesis.graphql.scalar(
        "Decimal",
        mostly(decimals, odd_decimals).map(nodes.String) | st.integers().map(nodes.Int),
    )
    odd_dates = ["0001-01-01", "9999-12-31", "2025-02-30", "2025-13-01", "", "today"]
    schemathesis.graphql.scalar("Date", mostly(st.dates().map(str), odd_dates).map(nodes.String))


# --- fuzzing --------------------------------------------------------------------------------


def sender(client: Client, label: str, state: dict):
    """The body of a Hypothesis test: send the generated query (@given allows no defaults)."""

    def run(case) -> None:
        if time.monotonic() > state["deadline"]:
            raise OutOfTime
        client.post(label, json.dumps({"query": case.body}).encode())

    return run


def build_runners(client: Client, values: dict[str, list[str]], seed: int | None):
    """One Hypothesis test per root field and generation mode; each call is a batch."""
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from schemathesis.generation import GenerationMode

    register_scalars()
    schema = schemathesis.graphql.from_path(SCHEMA_PATH, config=schemathesis_config(values))
    state = {"deadline": 0.0}
    seeds = random.Random(seed)
    runners = []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label  # "Query.news", "Mutation.registerForSession"
        for mode, batch in (
            (GenerationMode.POSITIVE, POSITIVE_BATCH),
            (GenerationMode.NEGATIVE, NEGATIVE_BATCH),
        ):
            strategy = operation.as_strategy(generation_mode=mode)
            runners.append([label, mode.value, strategy, batch, 0])

    def run_batch(runner: list, examples: int, deadline: float) -> None:
        label, _, strategy, _, _ = runner
        state["deadline"] = deadline
        # A fresh test per batch: Hypothesis allows one settings object per function.
        test = hypothesis.given(case=strategy)(sender(client, label, state))
        configured = hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            # Generation only: failures are recorded, never raised, so nothing to shrink.
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=hypothesis.Verbosity.quiet,
        )(test)
        if seed is not None:
            configured = hypothesis.seed(seeds.getrandbits(64))(configured)
        configured()

    return runners, run_batch


def fuzz(client: Client, stats: Stats, values, max_examples: int, deadline: float, seed) -> None:
    runners, run_batch = build_runners(client, values, seed)
    print(f"fuzz: {len(runners) // 2} root fields, positive and negative cases")
    active = list(runners)
    while active and time.monotonic() < deadline:
        for runner in list(active):
            label, mode, _, batch, done = runner
            examples = min(batch, max_examples - done)
            if examples <= 0:
                active.remove(runner)
                continue
            try:
                run_batch(runner, examples, deadline)
            except OutOfTime:
                return
            except Exception as exc:  # noqa: BLE001 - a field we cannot generate for
                stats.harness_errors.append(f"{label} ({mode}): {type(exc).__name__}: {exc}")
                active.remove(runner)
                continue
            runner[4] = done + examples


# --- setup ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": env.get("FUZZ_SETTINGS", "cms.settings_test"),
            "DEBUG": "false",  # as production answers, even if the developer's shell says true
            "VAR_DIR": str(var_dir),
            # Limits that would otherwise turn most mutations into RATE_LIMITED/limit errors.
            "BOOKING_RATE_LIMIT_PER_HOUR": "1000000",
            "BOOKING_MAX_ACTIVE_PER_SEASON": "1000000",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    return env


def manage(env: dict[str, str], log_path: Path, *args: str, timeout: float) -> None:
    with open(log_path, "ab") as log:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=max(timeout, 1),
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed, see {log_path}")


def serve(port: int) -> None:
    """The server process (``--serve PORT``): Django's runserver classes, without Nagle.

    runserver writes a response's headers and body separately; with Nagle's algorithm
    on, the body then waits for the client's delayed ACK, ~40 ms a request (10x the
    time the app takes). Django's handler still logs requests and tracebacks as usual.
    """
    import django
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class Handler(WSGIRequestHandler):
        disable_nagle_algorithm = True  # socketserver: TCP_NODELAY on each connection

    # The checkout this script is in, as manage.py would have it (not an installed copy).
    sys.path.insert(0, str(ROOT))
    django.setup()
    httpd = ThreadedWSGIServer(("127.0.0.1", port), Handler, ipv6=False)
    httpd.set_app(get_internal_wsgi_application())
    print(f"fuzz server: listening on 127.0.0.1:{port}", flush=True)
    httpd.serve_forever()


def start_server(env: dict[str, str], log_path: Path, deadline: float):
    """The app on a free loopback port; returns (process, url) once it answers."""
    for _attempt in range(3):
        port = free_port()
        log = open(log_path, "ab")  # noqa: SIM115 - the server writes to it until stopped
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        url = f"http://127.0.0.1:{port}/graphql/"
        http = requests.Session()
        http.trust_env = False
        while time.monotonic() < deadline and server.poll() is None:
            try:
                http.post(url, json={"query": "{ __typename }"}, timeout=5)
                return server, url
            except requests.RequestException:
                time.sleep(0.3)
        stop_server(server)
        if time.monotonic() >= deadline:
            break
    raise RuntimeError(f"the server did not start, see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- summary --------------------------------------------------------------------------------


def print_summary(stats: Stats, elapsed: float, database: str) -> None:
    print()
    print(f"== GraphQL fuzzing on {database}: {stats.sent} requests in {elapsed:.0f} s")
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(stats.by_status.items(), key=str))
    print(f"   by status: {statuses or 'none'}")
    fields = sorted(stats.by_label.items(), key=lambda item: -item[1])
    print("   by field:  " + ", ".join(f"{label} {n}" for label, n in fields[:40]))
    for error in stats.harness_errors:
        print(f"   harness: could not generate for {trim(error, 300)}")
    if not stats.failures:
        print("   no failures")
        return
    print(f"   {len(stats.failures)} distinct failure(s):")
    for number, failure in enumerate(stats.failures.values(), 1):
        times = f" (x{failure.count})" if failure.count > 1 else ""
        print(f"\n-- {number}. {failure.label}: {failure.problem}{times}")
        if failure.exception:
            print(f"   exception: {failure.exception}")
        if failure.frame:
            print(f"   at:        {failure.frame}")
        print(f"   request:   {failure.payload}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=210, help="wall-clock budget of the whole run"
    )
    parser.add_argument(
        "--max-examples", type=int, default=500, help="generated cases per root field and mode"
    )
    parser.add_argument("--seed", type=int, help="make the generated cases repeatable")
    parser.add_argument("--server-log", type=Path, help="also keep the server's log here")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0

    started = time.monotonic()
    deadline = started + args.seconds - RESERVE_SECONDS

    def on_signal(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, on_signal)

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    workdir = Path(tempfile.mkdtemp(prefix="fuzz-graphql-"))
    log_path = workdir / "server.log"
    env = server_env(workdir / "var")
    if database == "SQLite":
        env.pop("DATABASE_URL", None)
    stats = Stats()
    server = None
    code = 0
    try:
        print(f"fuzz: migrating and loading demo content on {database} (log: {log_path})")
        manage(env, log_path, "migrate", "--noinput", timeout=deadline - time.monotonic())
        manage(env, log_path, "load_demo_content", timeout=deadline - time.monotonic())
        server, url = start_server(env, log_path, deadline)
        setup_seconds = time.monotonic() - started
        print(f"fuzz: server at {url}, ready after {setup_seconds:.0f} s")
        log = ServerLog(log_path)
        log.new_text()
        client = Client(url, log, stats, server)
        for name, body, content_type in hostile_requests():
            client.post(f"hostile: {name}", body, content_type)
        values = harvest(client.http, url)
        print("fuzz: demo values: " + ", ".join(f"{k} {len(v)}" for k, v in values.items()))
        if deadline - time.monotonic() < 30:
            print("fuzz: warning: under 30 s left for fuzzing; raise --seconds")
        fuzz(client, stats, values, args.max_examples, deadline, args.seed)
        # Fields the harness could not generate for mean it is broken: not a pass.
        code = 1 if stats.failures else 2 if stats.harness_errors else 0
    except Interrupted as exc:
        print(f"fuzz: interrupted by {exc}")
        code = 130
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"fuzz: cannot run: {exc}")
        if log_path.exists():
            print(log_path.read_text(errors="replace")[-3000:])
        code = 2
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        if server is not None:
            stop_server(server)
        if args.server_log and log_path.exists():
            shutil.copyfile(log_path, args.server_log)
        shutil.rmtree(workdir, ignore_errors=True)
    print_summary(stats, time.monotonic() - started, database)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
