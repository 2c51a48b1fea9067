"""Our GraphQL API side by side with grapple, Wagtail's API v2 and API v3, on our content.

One run builds a throwaway site with the programme's volume (``--news`` news items,
``--enterprises`` enterprises with logos and awards, ``--sessions`` upcoming sessions),
declares each peer on our models the way a project using it would (``bench/peers``), and
asks every peer for the same fields in five cells: the news feed (20 and 100 full cards),
an enterprise page with its upcoming sessions and awards, a filtered enterprise list and a
search. Per cell and peer it reports SQL queries, median and p95 milliseconds, answers per
second, bytes, and each peer's ratio to us; first in-process (Django's test client), then
over HTTP against gunicorn (one sync worker, the project's ``gunicorn.conf.py``). It also
prints the raw floor of the news feed (the cheapest SQL plus ``json.dumps`` giving our
exact bytes), our cached GET, 304 and persisted-query answers, gunicorn's p95 with and
without the gc tuning, and our performance targets (README) as MET or MISSED.

Usage (from the repository root; ``make bench-compare`` installs the peers first)::

    .venv/bin/python bench/compare.py                        # SQLite
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/compare.py
    .venv/bin/python bench/compare.py --reps 10 --news 300   # a quick look

A benchmark, not a test: it prints figures and never fails on them. It stops (exit 1) only
when a peer does not return the content the others return, since the figures would then
compare different work; exit 2 when it cannot run (a peer not installed, no gunicorn).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import http.client
import importlib.util
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
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 90
SEARCH_WORD = "гидроцилиндр"  # in the titles of exactly SEARCH_HITS news items
SEARCH_HITS = 20
FILTER_KIND = "museum"  # the filtered enterprise list: museums, by name
PEERS = ("ours", "grapple", "api_v2", "api_v3")
PEER_NAMES = {"ours": "ours", "grapple": "grapple", "api_v2": "API v2", "api_v3": "API v3"}

# --- What every peer is asked for ---------------------------------------------------------

OUR_CARD = """title slug url date lead
      heroImage { rendition(size: CARD) { url width height } }
      industries { name slug }
      tags
      relatedEnterprises { name url }"""

OUR_NEWS = (
    "query News($first: Int!) { newsList(first: $first) { totalCount edges { node { "
    + OUR_CARD
    + " } } } }"
)
OUR_SEARCH = (
    "query Search($text: String!) { newsList(search: $text, first: 20) { totalCount "
    "edges { node { " + OUR_CARD + " } } } }"
)
OUR_ENTERPRISE = """query Enterprise($slug: String!) { enterprise(slug: $slug) {
  name slug url kind shortDescription address
  logo { rendition(size: CARD) { url width height } }
  industries { name slug }
  awards { title nomination year }
  upcomingSessions { id startsAt endsAt capacity seatsLeft format { name } }
} }"""
OUR_ENTERPRISES = """query Museums { enterprises(kind: "MUSEUM", first: 20) { totalCount
  edges { node { name slug url shortDescription
    logo { rendition(size: CARD) { url width height } }
    industries { name slug } } } } }"""

GRAPPLE_CARD = """title slug url
      ... on NewsPage {
        date lead
        heroImage { rendition(fill: "640x400") { url width height } }
        industries { name slug }
        tags { name }
        relatedEnterprises { title url }
      }"""
# newsPages: the list grapple's register_query_field gives NewsPage (bench/peers).
GRAPPLE_NEWS = (
    'query News($limit: PositiveInt!) { newsPages(order: "-date,-id", limit: $limit) { '
    + GRAPPLE_CARD
    + " } }"
)
GRAPPLE_SEARCH = (
    'query Search($text: String!) { newsPages(searchQuery: $text, order: "-date,-id", '
    "limit: 20) { " + GRAPPLE_CARD + " } }"
)
GRAPPLE_ENTERPRISE = """query Enterprise($slug: String!) {
  page(contentType: "pages.EnterprisePage", slug: $slug) {
    title slug url
    ... on EnterprisePage {
      kind shortDescription address
      logo { rendition(fill: "640x400") { url width height } }
      industries { name slug }
      publishedAwards { title nomination year }
      upcomingSessions { id startsAt endsAt capacity seatsLeft eventFormat { name } }
    }
  }
}"""

V2_NEWS_FIELDS = "_,title,slug,html_url,date,lead,hero_image,industries,tags,related_enterprises"
V2_ENTERPRISE_FIELDS = (
    "_,title,slug,html_url,kind,short_description,address,logo,industries,awards,upcoming_sessions"
)
V2_CARD_FIELDS = "_,title,slug,html_url,short_description,logo,industries"


def v2_url(**query) -> str:
    return "/api/v2/pages/?" + urlencode(query)


def v3_url(path: str = "", **query) -> str:
    return f"/api/v3/pages/{path}" + ("?" + urlencode(query) if query else "")


# --- Options -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Our GraphQL side by side with grapple, API v2 and API v3 (bench/README.md)."
    )
    parser.add_argument("--news", type=int, default=2000, help="news items (default: %(default)s)")
    parser.add_argument(
        "--enterprises", type=int, default=150, help="enterprises (default: %(default)s)"
    )
    parser.add_argument(
        "--sessions", type=int, default=5000, help="upcoming sessions (default: %(default)s)"
    )
    parser.add_argument(
        "--reps", type=int, default=30, help="timed answers per cell and peer (default: 30)"
    )
    parser.add_argument(
        "--gc-reps",
        type=int,
        default=150,
        help="timed answers of our 100-card feed per gunicorn gc setting (default: 150)",
    )
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server (the benchmark creates and drops its own database "
        "there); default $DATABASE_URL, else SQLite in a temporary folder",
    )
    parser.add_argument(
        "--cache",
        choices=("redis", "locmem"),
        default="redis" if shutil.which("redis-server") else "locmem",
        help="the shared cache: a throwaway redis-server as in production (the default "
        "when redis-server is installed), or per-process local memory, where every cached "
        "GET reads the content version from the database",
    )
    parser.add_argument(
        "--profile",
        choices=("post", "cached-get", "apq-get"),
        help="instead of comparing: profile our 100-card feed (uncached POST, cached GET "
        "or persisted-query GET) with pyinstrument, in-process, and print where time goes",
    )
    args = parser.parse_args(argv)
    if args.news < 100 + SEARCH_HITS or args.enterprises < 10 or args.sessions < 0:
        parser.error(f"--news must be at least {100 + SEARCH_HITS}, --enterprises at least 10")
    if args.reps < 3 or args.gc_reps < 3:
        parser.error("--reps and --gc-reps must be at least 3")
    return args


def refuse(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_prerequisites(args: argparse.Namespace) -> None:
    missing = [m for m in ("grapple", "ninja") if importlib.util.find_spec(m) is None]
    if missing:
        refuse(
            f"needs {', '.join(missing)} (the project's `bench` extra):\n"
            '  .venv/bin/pip install -e ".[dev,bench]"     (or: make bench-compare)'
        )
    if not args.no_http and importlib.util.find_spec("gunicorn") is None:
        refuse("needs gunicorn for the HTTP figures: .venv/bin/pip install gunicorn (or --no-http)")


# --- Django and the content ----------------------------------------------------------------


def bench_environment(var_dir: Path, database_url: str, cache_url: str) -> dict[str, str]:
    """What this process and gunicorn both run with."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.peers.settings",
        "VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 32,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def start_django(env: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "CACHE_URL", "TASKS_BACKEND", "BENCH_DATABASE_NAME"):
        os.environ.pop(name, None)
    os.environ.update(env)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def check_our_schema_unchanged() -> None:
    """Our schema as the peers' process builds it must be the committed one (grapple
    registers types for our models in the same process)."""
    from graphql import print_schema

    from graphql_schema.schema import schema

    committed = (REPO_ROOT / "schema.graphql").read_text(encoding="utf-8").strip()
    if print_schema(schema.graphql_schema).strip() != committed:
        print("bench: our schema differs from schema.graphql in this process", file=sys.stderr)
        raise SystemExit(1)


@dataclass
class Site:
    news_slugs: list[str] = field(default_factory=list)
    enterprise_slug: str = ""


def build_content(args: argparse.Namespace) -> Site:
    """The programme's volume of content, with the project's factories."""
    from django.utils import timezone
    from wagtail.models import Page
    from wagtail.models import Site as WagtailSite

    from booking.models import TourSession
    from catalogue.models import Award
    from tests import factories

    home = factories.HomePageFactory(parent=Page.get_first_root_node(), slug="open-mosprom")
    site = WagtailSite.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    news_index = factories.NewsIndexPageFactory(parent=home)
    enterprise_index = factories.EnterpriseIndexPageFactory(parent=home)
    industries = [factories.IndustryFactory() for _ in range(12)]
    formats = [factories.EventFormatFactory() for _ in range(3)]

    print(f"  {args.enterprises} enterprises with logos and awards…", file=sys.stderr, flush=True)
    kinds = ["enterprise", "museum", "technopark"]
    enterprises, images = [], []
    for number in range(args.enterprises):
        image = factories.ImageFactory()
        images.append(image)
        enterprise = factories.EnterprisePageFactory(
            parent=enterprise_index,
            logo=image,
            kind=kinds[number % 3],
            address=f"Москва, ул. Заводская, {number + 1}",
        )
        enterprise.industries.add(industries[number % 12], industries[(number + 5) % 12])
        award = factories.AwardFactory()
        enterprise.awards.add(award)
        enterprise.save()
        enterprises.append(enterprise)
    # Two more awards for the enterprise page of the cell, published and hidden.
    featured = enterprises[0]
    featured.awards.add(factories.AwardFactory(), factories.AwardFactory())
    featured.save()
    Award.objects.filter(pk=featured.awards.order_by("-pk").first().pk).update(live=False)

    print(f"  {args.sessions} sessions…", file=sys.stderr, flush=True)
    now = timezone.now().replace(microsecond=0)
    sessions = []
    for number in range(args.sessions):
        starts = now + datetime.timedelta(days=2 + number % 60, hours=number % 7)
        sessions.append(
            TourSession(
                enterprise=enterprises[number % len(enterprises)],
                event_format=formats[number % 3],
                title=f"Экскурсия {number}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1, minutes=30),
                capacity=20,
                max_party_size=4,
                meeting_point="Проходная №1",
            )
        )
    TourSession.objects.bulk_create(sessions, batch_size=500)

    print(f"  {args.news} news items…", file=sys.stderr, flush=True)
    today = timezone.localdate()
    result = Site(enterprise_slug=featured.slug)
    for number in range(args.news):
        title = f"Новость {number}: открытые экскурсии на заводах"
        if (
            number % (args.news // SEARCH_HITS) == 7
            and number // (args.news // SEARCH_HITS) < SEARCH_HITS
        ):
            title = f"Новость {number}: как работает {SEARCH_WORD}"
        news = factories.NewsPageFactory(
            parent=news_index,
            title=title,
            date=today - datetime.timedelta(days=number),
            hero_image=images[number % len(images)],
        )
        news.industries.add(industries[0], industries[1 + number % 11])
        news.related_enterprises.add(enterprises[number % len(enterprises)])
        news.tags.add("экскурсии", "завод")
        news.save()
        if number % 250 == 249:
            print(f"    {number + 1}", file=sys.stderr, flush=True)
    return result


# --- The cells -----------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP request of an answer: method, path (with query string), body, headers."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def graphql_post(path: str, query: str, variables: dict) -> Call:
    body = json.dumps({"query": query, "variables": variables}).encode()
    return Call("POST", path, body, {"Content-Type": "application/json"})


def get(path: str) -> Call:
    return Call("GET", path, None, {"Accept": "application/json"})


@dataclass
class Peer:
    """How a peer gives a cell's answer: its requests (later ones may depend on earlier
    answers: API v3 lists ids, then fetches each page) and what the answer contains."""

    calls: Callable[[Callable[[Call], tuple[int, bytes]]], list[bytes]]
    content: Callable[[list[bytes]], object]
    note: str = ""


def one(call: Call) -> Callable:
    def run(send):
        status, body = send(call)
        expect(status == 200, f"{call.method} {call.path[:80]} answered {status}", body)
        return [body]

    return run


def v3_list_then_details(list_call: Call) -> Callable:
    """API v3's list gives ids, titles and meta only: the fields need each page's detail."""

    def run(send):
        status, body = send(list_call)
        expect(status == 200, f"API v3 list answered {status}", body)
        bodies = [body]
        for item in json.loads(body)["items"]:
            status, detail = send(get(v3_url(f"{item['id']}/")))
            expect(status == 200, f"API v3 detail answered {status}", detail)
            bodies.append(detail)
        return bodies

    return run


def expect(condition: bool, what: str, payload: object = "") -> None:
    if not condition:
        if isinstance(payload, bytes):
            payload = payload.decode(errors="replace")
        raise SystemExit(f"bench: {what}; the comparison would be void: {str(payload)[:600]}")


def loaded(body: bytes) -> dict:
    payload = json.loads(body)
    expect(not payload.get("errors"), "a GraphQL answer has errors", payload)
    return payload


def news_card(title, date, lead, rendition, industries, tags, enterprises) -> tuple:
    """A news card as every peer must give it, with only what differs by design left out
    (absolute or relative URLs, how each names its fields)."""
    return (
        title,
        str(date),
        lead,
        (rendition or {}).get("width"),
        (rendition or {}).get("height"),
        tuple((industry["name"], industry["slug"]) for industry in industries),
        tuple(sorted(tags)),
        tuple(enterprises),
    )


def our_cards(bodies):
    nodes = [edge["node"] for edge in loaded(bodies[0])["data"]["newsList"]["edges"]]
    return [
        news_card(
            n["title"],
            n["date"],
            n["lead"],
            n["heroImage"]["rendition"],
            n["industries"],
            n["tags"],
            [e["name"] for e in n["relatedEnterprises"]],
        )
        for n in nodes
    ]


def grapple_cards(bodies):
    return [
        news_card(
            n["title"],
            n["date"],
            n["lead"],
            n["heroImage"]["rendition"],
            n["industries"],
            [tag["name"] for tag in n["tags"]],
            [e["title"] for e in n["relatedEnterprises"]],
        )
        for n in loaded(bodies[0])["data"]["newsPages"]
    ]


def rest_card(item):
    return news_card(
        item["title"],
        item["date"],
        item["lead"],
        item["hero_image"],
        item["industries"],
        item["tags"],
        [e["title"] for e in item["related_enterprises"]],
    )


def v2_cards(bodies):
    return [rest_card(item) for item in json.loads(bodies[0])["items"]]


def v3_cards(bodies):
    return [rest_card(json.loads(body)) for body in bodies[1:]]


def as_set(content):
    return sorted(content)


def enterprise_page(title, kind, industries, awards, sessions) -> tuple:
    return (
        title,
        kind.lower(),
        tuple((i["name"], i["slug"]) for i in industries),
        tuple(awards),
        tuple(sessions),
    )


def our_enterprise(bodies):
    e = loaded(bodies[0])["data"]["enterprise"]
    return enterprise_page(
        e["name"],
        e["kind"],
        e["industries"],
        [(a["title"], a["nomination"], a["year"]) for a in e["awards"]],
        [
            (int(s["id"]), s["capacity"], s["seatsLeft"], s["format"]["name"])
            for s in e["upcomingSessions"]
        ],
    )


def grapple_enterprise(bodies):
    e = loaded(bodies[0])["data"]["page"]
    return enterprise_page(
        e["title"],
        e["kind"],
        e["industries"],
        [(a["title"], a["nomination"], a["year"]) for a in e["publishedAwards"]],
        [
            (int(s["id"]), s["capacity"], s["seatsLeft"], s["eventFormat"]["name"])
            for s in e["upcomingSessions"]
        ],
    )


def rest_enterprise(e):
    return enterprise_page(
        e["title"],
        e["kind"],
        e["industries"],
        [(a["title"], a["nomination"], a["year"]) for a in e["awards"]],
        [(s["id"], s["capacity"], s["seats_left"], s["format"]) for s in e["upcoming_sessions"]],
    )


def v2_enterprise(bodies):
    items = json.loads(bodies[0])["items"]
    expect(len(items) == 1, "API v2 did not find the enterprise", items)
    return rest_enterprise(items[0])


def v3_enterprise(bodies):
    expect(len(bodies) == 2, "API v3 did not find the enterprise", bodies[0])
    return rest_enterprise(json.loads(bodies[1]))


def our_museums(bodies):
    data = loaded(bodies[0])["data"]["enterprises"]
    return [(e["node"]["name"], len(e["node"]["industries"])) for e in data["edges"]]


def rest_museums(items):
    return [(item["title"], len(item["industries"])) for item in items]


def cells(site: Site) -> dict[str, dict[str, Peer | None]]:
    """Each cell: what every peer is asked (None: the peer cannot answer it as it ships)."""
    news = {}
    for size in (20, 100):
        news[f"news feed, {size} cards"] = {
            "ours": Peer(one(graphql_post("/graphql/", OUR_NEWS, {"first": size})), our_cards),
            "grapple": Peer(
                one(graphql_post("/grapple/graphql/", GRAPPLE_NEWS, {"limit": size})),
                grapple_cards,
            ),
            "api_v2": Peer(
                one(
                    get(
                        v2_url(
                            type="pages.NewsPage",
                            order="-date",
                            limit=size,
                            fields=V2_NEWS_FIELDS,
                        )
                    )
                ),
                v2_cards,
            ),
            "api_v3": Peer(
                v3_list_then_details(get(v3_url(type="pages.NewsPage", order="-date", limit=size))),
                v3_cards,
                note=f"1 + {size} requests",
            ),
        }
    return {
        **news,
        "enterprise page": {
            "ours": Peer(
                one(graphql_post("/graphql/", OUR_ENTERPRISE, {"slug": site.enterprise_slug})),
                our_enterprise,
            ),
            "grapple": Peer(
                one(
                    graphql_post(
                        "/grapple/graphql/", GRAPPLE_ENTERPRISE, {"slug": site.enterprise_slug}
                    )
                ),
                grapple_enterprise,
            ),
            "api_v2": Peer(
                one(
                    get(
                        v2_url(
                            type="pages.EnterprisePage",
                            slug=site.enterprise_slug,
                            fields=V2_ENTERPRISE_FIELDS,
                        )
                    )
                ),
                v2_enterprise,
            ),
            "api_v3": Peer(
                v3_list_then_details(
                    get(v3_url(type="pages.EnterprisePage", slug=site.enterprise_slug))
                ),
                v3_enterprise,
                note="1 + 1 requests",
            ),
        },
        "museums, first 20": {
            "ours": Peer(one(graphql_post("/graphql/", OUR_ENTERPRISES, {})), our_museums),
            # grapple's page lists filter by type, site, ancestor, search: not by a field.
            "grapple": None,
            "api_v2": Peer(
                one(
                    get(
                        v2_url(
                            type="pages.EnterprisePage",
                            kind=FILTER_KIND,
                            order="title",
                            limit=20,
                            fields=V2_CARD_FIELDS,
                        )
                    )
                ),
                lambda bodies: rest_museums(json.loads(bodies[0])["items"]),
            ),
            "api_v3": Peer(
                v3_list_then_details(
                    get(
                        v3_url(
                            type="pages.EnterprisePage", kind=FILTER_KIND, order="title", limit=20
                        )
                    )
                ),
                lambda bodies: rest_museums([json.loads(body) for body in bodies[1:]]),
                note="1 + 20 requests",
            ),
        },
        f"search «{SEARCH_WORD}»": {
            "ours": Peer(
                one(graphql_post("/graphql/", OUR_SEARCH, {"text": SEARCH_WORD})),
                lambda bodies: as_set(our_cards(bodies)),
            ),
            "grapple": Peer(
                one(graphql_post("/grapple/graphql/", GRAPPLE_SEARCH, {"text": SEARCH_WORD})),
                lambda bodies: as_set(grapple_cards(bodies)),
            ),
            "api_v2": Peer(
                one(
                    get(
                        v2_url(
                            type="pages.NewsPage",
                            search=SEARCH_WORD,
                            limit=20,
                            fields=V2_NEWS_FIELDS,
                        )
                    )
                ),
                lambda bodies: as_set(v2_cards(bodies)),
            ),
            "api_v3": Peer(
                v3_list_then_details(
                    get(v3_url(type="pages.NewsPage", search=SEARCH_WORD, limit=20))
                ),
                lambda bodies: as_set(v3_cards(bodies)),
                note="1 + 20 requests",
            ),
        },
    }


# --- Sending ------------------------------------------------------------------------------


class InProcess:
    """Django's test client: the whole middleware stack and view, no network."""

    label = "in-process (Django test client)"

    def __init__(self):
        from django.test import Client

        self.client = Client()

    def send(self, call: Call) -> tuple[int, bytes]:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items()}
        if call.method == "POST":
            extra.pop("HTTP_CONTENT_TYPE", None)
            response = self.client.post(
                call.path, data=call.body, content_type="application/json", **extra
            )
        else:
            response = self.client.get(call.path, **extra)
        return response.status_code, response.content


class OverHttp:
    """A client on loopback, one connection per request (gunicorn's sync worker closes
    each connection after its answer)."""

    def __init__(self, port: int, label: str):
        self.port = port
        self.label = label

    def send(self, call: Call) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(call.method, call.path, body=call.body, headers=call.headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def count_queries(run: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Figures:
    times_ms: list[float]
    bytes: int
    requests: int
    queries: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 0.95)

    @property
    def per_second(self) -> float:
        return 1000 / statistics.fmean(self.times_ms)


def interleaved(names: list[str], rep: int) -> list[str]:
    """``names`` in the order of rep ``rep``: shuffled, the same in every run. Turning the
    first one would keep each after the same neighbour, and what a call leaves behind
    (garbage to collect, cold caches) would always fall on the same next one."""
    return random.Random(rep).sample(names, k=len(names))


def measure_cells(
    transport, table: dict[str, dict[str, Peer | None]], reps: int, with_queries: bool
) -> dict[str, dict[str, Figures]]:
    """Every cell, peers interleaved: each rep asks each peer once, in an order of its
    own, so drift and background load hit all of them alike."""
    results: dict[str, dict[str, Figures]] = {}
    for cell, peers in table.items():
        print(f"  {cell}…", file=sys.stderr, flush=True)
        active = {name: peer for name, peer in peers.items() if peer is not None}
        contents, sizes = {}, {}
        for name, peer in active.items():
            for _ in range(2):  # the first renders images and fills caches
                bodies = peer.calls(transport.send)
            contents[name] = peer.content(bodies)
            sizes[name] = (sum(len(body) for body in bodies), len(bodies))
        reference = contents["ours"]
        expect(bool(reference), f"{cell}: our answer is empty")
        for name, content in contents.items():
            expect(
                content == reference,
                f"{cell}: {PEER_NAMES[name]} answers other content than ours",
                [
                    content[:2] if isinstance(content, list) else content,
                    reference[:2] if isinstance(reference, list) else reference,
                ],
            )
        queries = {}
        if with_queries:
            for name, peer in active.items():
                queries[name] = count_queries(lambda peer=peer: peer.calls(transport.send))
        timings: dict[str, list[float]] = defaultdict(list)
        names = list(active)
        gc.collect()
        for rep in range(reps):
            for name in interleaved(names, rep):
                started = time.perf_counter()
                active[name].calls(transport.send)
                timings[name].append((time.perf_counter() - started) * 1000)
        results[cell] = {
            name: Figures(timings[name], *sizes[name], queries.get(name)) for name in names
        }
    return results


# --- The raw floor ------------------------------------------------------------------------


def raw_floor_news(size: int, media_base: str, news_prefix: str, extensions: dict) -> bytes:
    """Our news feed's exact bytes from the fewest, plainest SQL queries and json.dumps:
    what any API must at least spend on this answer in Python. ``extensions`` (the query's
    cost, which depends on the query text alone) is given, not computed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pages_newspage n JOIN wagtailcore_page p ON p.id = n.page_ptr_id"
            " WHERE p.live"
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT p.id, p.title, p.slug, p.url_path, n.date, n.lead, r.file, r.width, r.height"
            " FROM pages_newspage n JOIN wagtailcore_page p ON p.id = n.page_ptr_id"
            " LEFT JOIN wagtailimages_rendition r ON r.image_id = n.hero_image_id"
            # One focal point per image here, so one rendition per spec.
            "  AND r.filter_spec = 'fill-640x400'"
            " WHERE p.live ORDER BY n.date DESC, p.id DESC LIMIT %s",
            [size],
        )
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(
            "SELECT t.newspage_id, i.name, i.slug FROM pages_newspage_industries t"
            f" JOIN catalogue_industry i ON i.id = t.industry_id WHERE t.newspage_id IN ({marks})"
            " ORDER BY i.name",
            ids,
        )
        industries = defaultdict(list)
        for page_id, name, slug in cursor.fetchall():
            industries[page_id].append({"name": name, "slug": slug})
        cursor.execute(
            "SELECT t.content_object_id, g.name FROM pages_newspagetag t"
            f" JOIN taggit_tag g ON g.id = t.tag_id WHERE t.content_object_id IN ({marks})",
            ids,
        )
        tags = defaultdict(list)
        for page_id, name in cursor.fetchall():
            tags[page_id].append(name)
        cursor.execute(
            "SELECT t.newspage_id, p.title, p.url_path FROM pages_newspage_related_enterprises t"
            f" JOIN wagtailcore_page p ON p.id = t.enterprisepage_id"
            f" WHERE t.newspage_id IN ({marks}) AND p.live ORDER BY p.title, p.id",
            ids,
        )
        enterprises = defaultdict(list)
        for page_id, title, url_path in cursor.fetchall():
            enterprises[page_id].append({"name": title, "url": news_prefix + url_path})
    edges = [
        {
            "node": {
                "title": title,
                "slug": slug,
                "url": news_prefix + url_path,
                "date": str(date),
                "lead": lead,
                "heroImage": {
                    "rendition": {"url": media_base + file, "width": width, "height": height}
                },
                "industries": industries[page_id],
                "tags": sorted(tags[page_id]),
                "relatedEnterprises": enterprises[page_id],
            }
        }
        for page_id, title, slug, url_path, date, lead, file, width, height in rows
    ]
    answer = {"data": {"newsList": {"totalCount": total, "edges": edges}}, "extensions": extensions}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Floor:
    size: int
    times_ms: list[float]
    ours: Figures

    @property
    def ratio(self) -> float:
        return self.ours.median / statistics.median(self.times_ms)


def measure_floor(transport: InProcess, size: int, reps: int) -> Floor | str:
    """The floor beside our POST, interleaved; a string when the bytes do not match."""
    from wagtail.models import Site as WagtailSite

    call = graphql_post("/graphql/", OUR_NEWS, {"first": size})
    _, ours = transport.send(call)
    site = WagtailSite.objects.get(is_default_site=True)
    # Our page URLs are paths on the site: url_path less the root page's url_path.
    root = site.root_page.url_path.rstrip("/")
    media_base = "http://testserver/media/"
    extensions = json.loads(ours)["extensions"]

    def floor() -> bytes:
        return raw_floor_news(size, media_base, "", extensions).replace(
            b'"url":"' + root.encode(), b'"url":"'
        )

    produced = floor()
    if produced != ours:
        at = next(
            (i for i, (a, b) in enumerate(zip(produced, ours, strict=False)) if a != b),
            min(len(produced), len(ours)),
        )
        return (
            f"floor bytes differ from ours at byte {at}: "
            f"{produced[max(0, at - 60) : at + 60]!r} vs {ours[max(0, at - 60) : at + 60]!r}"
        )
    floor_times, our_times = [], []
    gc.collect()
    for rep in range(reps):
        pair = [(floor_times, floor), (our_times, lambda: transport.send(call))]
        for times, run in pair if rep % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
    return Floor(size, floor_times, Figures(our_times, len(ours), 1))


# --- Our caches: GET answered from the response cache, 304, persisted queries -----------------


def measure_cache(transport, reps: int) -> dict[str, Figures]:
    """Our 100-card feed uncached (POST), as a cached GET, as a 304, and as a persisted
    query's GET (its hash instead of the text), interleaved, beside the liveness probe
    (no GraphQL: the cost of any answer of this server)."""
    import hashlib

    variables = json.dumps({"first": 100})
    post = graphql_post("/graphql/", OUR_NEWS, {"first": 100})
    cached = get("/graphql/?" + urlencode({"query": OUR_NEWS, "variables": variables}))
    sha256 = hashlib.sha256(OUR_NEWS.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}})
    register = get(
        "/graphql/?"
        + urlencode({"query": OUR_NEWS, "variables": variables, "extensions": extensions})
    )
    persisted = get("/graphql/?" + urlencode({"variables": variables, "extensions": extensions}))
    status, body = transport.send(register)
    expect(status == 200, "registering the persisted query failed", body)
    status, body = transport.send(cached)
    expect(status == 200, "the cached GET failed", body)
    status, body = transport.send(cached)  # now a hit
    tag = None
    if isinstance(transport, InProcess):
        response = transport.client.get(cached.path)
        tag = response.headers.get("ETag")
    else:
        connection = http.client.HTTPConnection(HOST, transport.port, timeout=60)
        connection.request("GET", cached.path)
        response = connection.getresponse()
        response.read()
        tag = response.getheader("ETag")
        connection.close()
    expect(bool(tag), "the cached GET has no ETag")
    revalidate = Call("GET", cached.path, None, {"If-None-Match": tag})
    status, _ = transport.send(revalidate)
    expect(status == 304, f"If-None-Match answered {status}, not 304")
    status, body = transport.send(persisted)
    expect(status == 200 and b'"errors"' not in body, "the persisted query failed", body)
    calls = {
        "POST (uncached)": post,
        "GET, cached": cached,
        "GET, 304": revalidate,
        "GET by hash (APQ), cached": persisted,
        # No GraphQL at all: what any answer of this server costs (middleware, WSGI,
        # gunicorn, the socket), the bound of a cached answer's speed.
        "GET /healthz (the server's floor)": get("/healthz"),
    }
    timings: dict[str, list[float]] = defaultdict(list)
    sizes = {name: len(transport.send(call)[1]) for name, call in calls.items()}
    queries = {}
    if isinstance(transport, InProcess):
        queries = {
            name: count_queries(lambda c=call: transport.send(c)) for name, call in calls.items()
        }
    names = list(calls)
    gc.collect()
    for rep in range(reps):
        for name in interleaved(names, rep):
            started = time.perf_counter()
            transport.send(calls[name])
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: Figures(timings[name], sizes[name], 1, queries.get(name)) for name in names}


def profile_gc(transport: InProcess, call: Call, reps: int) -> int:
    """How often each gc generation ran during ``reps`` answers, and how long it took."""
    runs, paused, began = [0, 0, 0], [0.0, 0.0, 0.0], []

    def watch(phase, info):
        if phase == "start":
            began.append(time.perf_counter())
        elif began:
            runs[info["generation"]] += 1
            paused[info["generation"]] += (time.perf_counter() - began.pop()) * 1000

    timings = []
    gc.collect()
    gc.callbacks.append(watch)
    try:
        for _ in range(reps):
            started = time.perf_counter()
            transport.send(call)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        gc.callbacks.remove(watch)
    print(f"{reps} answers: median {statistics.median(timings):.2f} ms, max {max(timings):.2f} ms")
    for generation in range(3):
        print(f"  gen {generation}: {runs[generation]} runs, {paused[generation]:.1f} ms in all")
    print(f"  tracked objects now: {len(gc.get_objects())}")
    return 0


def profile(transport: InProcess, what: str, reps: int) -> int:
    """pyinstrument's call tree of ``reps`` answers of our 100-card feed."""
    import hashlib

    from pyinstrument import Profiler

    variables = json.dumps({"first": 100})
    sha256 = hashlib.sha256(OUR_NEWS.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}})
    register = get(
        "/graphql/?"
        + urlencode({"query": OUR_NEWS, "variables": variables, "extensions": extensions})
    )
    call = {
        "post": graphql_post("/graphql/", OUR_NEWS, {"first": 100}),
        "cached-get": get("/graphql/?" + urlencode({"query": OUR_NEWS, "variables": variables})),
        "apq-get": get(
            "/graphql/?" + urlencode({"variables": variables, "extensions": extensions})
        ),
    }[what]
    transport.send(register)
    for _ in range(3):
        status, body = transport.send(call)
    expect(status == 200 and b'"errors"' not in body, f"{what} failed", body)
    if os.environ.get("PROFILE_SQL") == "1":  # the SQL of one answer, then stop
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            transport.send(call)
        for number, query in enumerate(captured.captured_queries, 1):
            print(f"{number}. ({query['time']} s) {query['sql']}\n")
        return 0
    if os.environ.get("PROFILE_GC") == "1":  # collections and their pauses, per generation
        return profile_gc(transport, call, reps)
    if os.environ.get("PROFILE_FLAT") == "1":  # functions by their own time, cProfile
        import cProfile
        import pstats

        own = cProfile.Profile()
        own.enable()
        for _ in range(reps):
            transport.send(call)
        own.disable()
        stats = pstats.Stats(own).sort_stats("tottime")
        stats.print_stats(45)
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(reps):
        transport.send(call)
    profiler.stop()
    show_all = os.environ.get("PROFILE_ALL") == "1"  # library frames too
    print(profiler.output_text(unicode=True, color=False, show_all=show_all))
    return 0


def measure_ours_alone(transport, reps: int) -> Figures:
    call = graphql_post("/graphql/", OUR_NEWS, {"first": 100})
    for _ in range(3):
        transport.send(call)
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        transport.send(call)
        times.append((time.perf_counter() - started) * 1000)
    return Figures(times, 0, 1)


# --- gunicorn ------------------------------------------------------------------------------


class Server:
    """gunicorn with the project's gunicorn.conf.py and one sync worker, on a socket we
    bind ourselves."""

    def __init__(self, env: dict[str, str], log_path: Path, gc_tuning: bool):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.log_path = log_path
        self.log = open(log_path, "wb")
        env = {**env, "GUNICORN_GC_TUNING": "1" if gc_tuning else "0", "WEB_CONCURRENCY": "1"}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(REPO_ROOT / "gunicorn.conf.py"),
            *("--bind", f"fd://{self.listener.fileno()}"),
            *("--workers", "1", "--access-logfile", "/dev/null", "--log-level", "warning"),
            # Each sync worker restarts after max_requests: not in the middle of a run.
            *("--max-requests", "0"),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            pass_fds=(self.listener.fileno(),),
            start_new_session=True,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        client = OverHttp(self.port, "")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                refuse(f"gunicorn exited with code {self.process.returncode}:\n{self.tail()}")
            try:
                status, _ = client.send(graphql_post("/graphql/", "{ __typename }", {}))
            except OSError:
                status = None
            if status == 200:
                return
            time.sleep(0.3)
        refuse(f"gunicorn did not answer in {STARTUP_TIMEOUT} s:\n{self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
        finally:
            self.listener.close()
            self.log.close()


# --- Report --------------------------------------------------------------------------------


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1}

    def render(row):
        return "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    return "\n".join([render(header), "  ".join("-" * w for w in widths), *map(render, rows)])


def report_cells(results: dict[str, dict[str, Figures]], table_spec) -> str:
    rows = []
    for cell, figures in results.items():
        ours = figures["ours"]
        for name in PEERS:
            if name not in figures:
                if table_spec[cell].get(name, 0) is None:
                    rows.append(("", PEER_NAMES[name], *["n/a"] * 7, "no filter by a page field"))
                continue
            f = figures[name]
            note = table_spec[cell][name].note
            rows.append(
                (
                    cell if name == "ours" else "",
                    PEER_NAMES[name],
                    "-" if f.queries is None else str(f.queries),
                    f"{f.median:.1f}",
                    f"{f.p95:.1f}",
                    f"{f.per_second:.1f}",
                    f"{f.bytes:,}",
                    "" if name == "ours" else f"{ours.per_second / f.per_second:.1f}×",
                    "" if name == "ours" else f"{f.median / ours.median:.1f}×",
                    note,
                )
            )
    header = (
        "cell",
        "peer",
        "queries",
        "median ms",
        "p95 ms",
        "answers/s",
        "bytes",
        "ours/peer answers/s",
        "peer/ours median",
        "note",
    )
    return table(rows, header)


def report_cache(figures: dict[str, Figures]) -> str:
    base = figures["POST (uncached)"]
    rows = [
        (
            name,
            "",
            "-" if f.queries is None else str(f.queries),
            f"{f.median:.2f}",
            f"{f.p95:.2f}",
            f"{f.per_second:.0f}",
            f"{f.bytes:,}",
            f"{base.median / f.median:.1f}×",
        )
        for name, f in figures.items()
    ]
    return table(
        rows,
        (
            "our 100-card feed",
            "",
            "queries",
            "median ms",
            "p95 ms",
            "answers/s",
            "bytes",
            "faster than POST",
        ),
    )


@dataclass
class Target:
    what: str
    wanted: str
    measured: str
    met: bool


def verdicts(in_process, floor, http_results, http_cache, gc_figures, in_cache) -> list[Target]:
    targets = []
    for label, results in (("in-process", in_process), ("HTTP", http_results)):
        if not results:
            continue
        cell = results["news feed, 100 cards"]
        for name in ("grapple", "api_v2", "api_v3"):
            ratio = cell["ours"].per_second / cell[name].per_second
            targets.append(
                Target(
                    f"100 cards {label}: answers/s, ours ÷ {PEER_NAMES[name]}",
                    "≥ 5×",
                    f"{ratio:.1f}×",
                    ratio >= 5,
                )
            )
    if isinstance(floor, Floor):
        targets.append(
            Target(
                "100 cards in-process: ours ÷ raw floor (median)",
                "≤ 8×",
                f"{floor.ratio:.1f}×",
                floor.ratio <= 8,
            )
        )
    if gc_figures:
        tuned = gc_figures["gc tuned (gunicorn.conf.py)"]
        ratio = tuned.p95 / tuned.median
        targets.append(
            Target("100 cards over HTTP: p95 ÷ median", "≤ 1.5×", f"{ratio:.2f}×", ratio <= 1.5)
        )
    for label, cache in (("in-process", in_cache), ("HTTP", http_cache)):
        if not cache:
            continue
        base, hit, not_modified = cache["POST (uncached)"], cache["GET, cached"], cache["GET, 304"]
        ratio = base.median / hit.median
        targets.append(
            Target(
                f"cached GET {label}: faster than uncached", "≥ 30×", f"{ratio:.1f}×", ratio >= 30
            )
        )
        targets.append(
            Target(
                f"304 {label}: cheaper than a cached GET",
                "< cached GET",
                f"{not_modified.median:.2f} vs {hit.median:.2f} ms",
                not_modified.median < hit.median,
            )
        )
    return targets


def describe_environment() -> str:
    from importlib.metadata import version

    import django
    import grapple  # noqa: F401
    import ninja
    import wagtail
    from django.db import connection

    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0]
    else:
        import sqlite3

        database += " " + sqlite3.sqlite_version
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, Wagtail "
        f"{wagtail.__version__}, wagtail-grapple {version('wagtail-grapple')}, django-ninja "
        f"{ninja.__version__}, {database}, {os.cpu_count()} CPUs"
    )


def content_summary() -> str:
    from booking.models import TourSession
    from pages.models import EnterprisePage, NewsPage

    return (
        f"{NewsPage.objects.count():,} news items, {EnterprisePage.objects.count()} enterprises "
        f"with logos, {TourSession.objects.count():,} upcoming sessions"
    )


# --- Main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_prerequisites(args)
    started = time.perf_counter()
    var_dir = Path(tempfile.mkdtemp(prefix="mosprom-compare-"))
    (var_dir / "static").mkdir()
    servers: list[Server] = []
    redis = None
    if args.cache == "redis":
        if str(REPO_ROOT) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT))
        from tests.production.redis_server import RedisServer, redis_server_executable

        redis = RedisServer(redis_server_executable())
        redis.start()
    env = bench_environment(var_dir, args.database_url, redis.url if redis else "")
    print(f"Cache: {'redis-server ' + redis.url if redis else 'local memory'}", file=sys.stderr)
    try:
        start_django(env)
        check_our_schema_unchanged()
        from django.db import connection

        configured_name = connection.settings_dict["NAME"]
        print("Setting up a throwaway database…", file=sys.stderr, flush=True)
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            return run(args, env, var_dir, servers)
        finally:
            for server in servers:
                server.stop()
            connection.creation.destroy_test_db(configured_name, verbosity=0)
            print(f"(whole run: {time.perf_counter() - started:.0f} s)")
    finally:
        if redis is not None:
            redis.cleanup()
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args, env, var_dir, servers) -> int:
    from django.db import connection

    print("Building the content…", file=sys.stderr, flush=True)
    build_started = time.perf_counter()
    site = build_content(args)
    built = time.perf_counter() - build_started
    spec = cells(site)

    in_process = InProcess()
    if args.profile:
        return profile(in_process, args.profile, args.reps)
    print("In-process…", file=sys.stderr, flush=True)
    in_results = measure_cells(in_process, spec, args.reps, with_queries=True)
    floors = {size: measure_floor(in_process, size, args.reps) for size in (20, 100)}
    in_cache = measure_cache(in_process, args.reps)

    http_results, http_cache, gc_figures = {}, {}, {}
    if not args.no_http:
        connection.close()  # gunicorn gets the database to itself (SQLite: no lock waits)
        server_env = {**env, "BENCH_DATABASE_NAME": connection.settings_dict["NAME"]}
        for tuned in (False, True):
            print(f"gunicorn, gc tuning {'on' if tuned else 'off'}…", file=sys.stderr, flush=True)
            server = Server(server_env, var_dir / f"gunicorn-{int(tuned)}.log", gc_tuning=tuned)
            servers.append(server)
            server.wait_until_ready()
            transport = OverHttp(server.port, "HTTP (gunicorn, 1 sync worker)")
            name = "gc tuned (gunicorn.conf.py)" if tuned else "gc untuned (GUNICORN_GC_TUNING=0)"
            gc_figures[name] = measure_ours_alone(transport, args.gc_reps)
            if tuned:
                http_results = measure_cells(transport, spec, args.reps, with_queries=False)
                http_cache = measure_cache(transport, args.reps)
            server.stop()
            servers.remove(server)

    print()
    print("Our GraphQL side by side with wagtail-grapple, Wagtail API v2 and API v3")
    print(describe_environment())
    print(f"{content_summary()} (built in {built:.0f} s); {args.reps} answers per cell and peer,")
    print("peers interleaved, after 2 warm-up answers each. An answer is everything a client")
    print("needs for the cell: API v3's lists carry ids and titles only, so its answers are a")
    print("list and then each page's detail (the note says how many requests).")
    print()
    print("In-process (Django's test client: middleware, view, serialisation; no network)")
    print(report_cells(in_results, spec))
    print()
    for size, floor in floors.items():
        if isinstance(floor, Floor):
            print(
                f"raw floor, {size} cards (SQL + json.dumps, the same {floor.ours.bytes:,} "
                f"bytes): {statistics.median(floor.times_ms):.2f} ms median; "
                f"ours {floor.ours.median:.2f} ms = {floor.ratio:.1f}× the floor"
            )
        else:
            print(f"raw floor, {size} cards: not measured, {floor}")
    print()
    print(report_cache(in_cache))
    if http_results:
        print()
        print("Over HTTP (gunicorn, gunicorn.conf.py, 1 sync worker, one client, loopback)")
        print(report_cells(http_results, spec))
        print()
        print(report_cache(http_cache))
        print()
        rows = [
            (
                name,
                "",
                f"{f.median:.1f}",
                f"{f.p95:.1f}",
                f"{f.p95 / f.median:.2f}×",
                f"{max(f.times_ms):.1f}",
            )
            for name, f in gc_figures.items()
        ]
        print(f"our 100-card feed over HTTP, {args.gc_reps} answers per gunicorn:")
        print(table(rows, ("gunicorn", "", "median ms", "p95 ms", "p95 ÷ median", "max ms")))
    print()
    print("Targets (the same run, the same machine)")
    targets = verdicts(in_results, floors.get(100), http_results, http_cache, gc_figures, in_cache)
    print(
        table(
            [(t.what, "", t.wanted, t.measured, "MET" if t.met else "MISSED") for t in targets],
            ("target", "", "wanted", "measured", ""),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
