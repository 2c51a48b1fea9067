"""News-list cards: our GraphQL endpoint against Wagtail's REST API v2, on the same content.

For each list size N it builds (or grows) N published news items, each with its own hero
image, two industries, two tags and a related enterprise, then asks both APIs for the
first N news cards (title, slug, URL, date, lead, a CARD-sized hero rendition, industries,
tags, related enterprises) and reports, per API: SQL queries per request, median wall time
per request, response size, and how the query count grows per extra item.

Usage (from the repository root)::

    .venv/bin/python bench/news_list.py                      # SQLite, sizes 10, 50, 100
    .venv/bin/python bench/news_list.py --sizes 5,20 --reps 50
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/news_list.py

Everything happens in a throwaway database (a SQLite file in a temporary folder, or a
``test_…`` database next to the one ``DATABASE_URL`` names), removed at the end. A
benchmark, not a test: it prints figures and never fails on them; it only stops when an
API does not return the content it was given, which would make the figures meaningless.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10, 50, 100)
DEFAULT_REPS = 20
WARMUP_REQUESTS = 2  # the first one renders the images; the second one fills the caches
MAX_SIZE = 100  # both APIs refuse bigger pages (GraphQL's cap, mirrored for API v2)

GRAPHQL_CARDS = """
query NewsCards($first: Int!) {
  newsList(first: $first) {
    totalCount
    edges { node {
      title slug url date lead
      heroImage { alt rendition(size: CARD) { url width height } }
      industries { name slug }
      tags
      relatedEnterprises { name url }
    } }
  }
}
"""

# "_" first: only the listed fields, so both APIs return the same card (API v2 would
# otherwise add id, type, detail_url and first_published_at to every item).
API_V2_FIELDS = ",".join(
    [
        *("_", "title", "slug", "html_url", "date", "lead", "hero_image", "industries", "tags"),
        "related_enterprises(_,title,html_url)",
    ]
)


def api_v2_url(size: int | str, encode: bool = True) -> str:
    """The API v2 request for the first ``size`` news cards, newest first as in GraphQL."""
    query = {"type": "pages.NewsPage", "order": "-date", "limit": size, "fields": API_V2_FIELDS}
    if not encode:  # for people to read
        return "/api/v2/pages/?" + "&".join(f"{key}={value}" for key, value in query.items())
    return "/api/v2/pages/?" + urlencode(query)


# ---------------------------------------------------------------------------- setup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare the news-card list through GraphQL and Wagtail's API v2."
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help=f"comma-separated list sizes, each 1..{MAX_SIZE} (default: %(default)s)",
    )
    parser.add_argument(
        "--reps",
        type=int,
        default=DEFAULT_REPS,
        help="timed requests per API and size; the median is reported (default: %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a server to run on, e.g. postgres://user@host:5432/mosprom; the benchmark "
        "creates and drops its own test_… database there (default: $DATABASE_URL, "
        "else SQLite in a temporary folder)",
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(part) for part in args.sizes.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--sizes must be integers, got {args.sizes!r}")
    if not sizes or not all(1 <= size <= MAX_SIZE for size in sizes):
        parser.error(f"--sizes must be between 1 and {MAX_SIZE}")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    args.sizes = sizes
    return args


def start_django(var_dir: Path, database_url: str) -> None:
    """Point the bench settings at ``var_dir`` (and the database) and start Django."""
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        # An empty or stray value must not pick a server: no URL means SQLite in var_dir.
        os.environ.pop("DATABASE_URL", None)
    # Run as a script, only bench/ is on sys.path; the project's packages live one level up.
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))

    import django

    django.setup()


@dataclass
class Content:
    """The page tree the news items go into, and what every item shares."""

    news_index: object
    enterprise_index: object
    shared_industry: object
    count: int = 0


def build_site() -> Content:
    """The programme's home as the default site, with empty news and enterprise sections."""
    from wagtail.models import Page, Site

    from tests import factories

    home = factories.HomePageFactory(parent=Page.get_first_root_node(), slug="open-mosprom")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return Content(
        news_index=factories.NewsIndexPageFactory(parent=home),
        enterprise_index=factories.EnterpriseIndexPageFactory(parent=home),
        shared_industry=factories.IndustryFactory(),
    )


def grow_to(content: Content, size: int) -> None:
    """Add news items until there are ``size``, each with its own image and enterprise."""
    from tests import factories

    for _ in range(size - content.count):
        enterprise = factories.EnterprisePageFactory(parent=content.enterprise_index)
        news = factories.NewsPageFactory(
            parent=content.news_index, hero_image=factories.ImageFactory()
        )
        news.industries.add(content.shared_industry, factories.IndustryFactory())
        news.related_enterprises.add(enterprise)
        news.tags.add("экскурсии", "завод")
        news.save()  # parental many-to-many and tag changes are written on save
        content.count += 1


# ---------------------------------------------------------------------------- requests


class Endpoints:
    """The two requests under comparison, and what each one's answer must contain."""

    def __init__(self):
        from django.test import Client

        self.client = Client()

    def graphql(self, size: int):
        # POST, as clients send it: a GET might one day be answered from a response cache.
        body = json.dumps({"query": GRAPHQL_CARDS, "variables": {"first": size}})
        return self.client.post("/graphql/", data=body, content_type="application/json")

    def api_v2(self, size: int):
        return self.client.get(api_v2_url(size), HTTP_ACCEPT="application/json")

    @staticmethod
    def graphql_cards(response, size: int) -> list[dict]:
        """The cards of a GraphQL answer, checked to be complete."""
        payload = json.loads(response.content)
        check(response.status_code == 200 and "errors" not in payload, "GraphQL", payload)
        news_list = payload["data"]["newsList"]
        cards = [edge["node"] for edge in news_list["edges"]]
        check(news_list["totalCount"] == size and len(cards) == size, "GraphQL count", news_list)
        for card in cards:
            complete = (
                card["heroImage"]["rendition"]["url"]
                and len(card["industries"]) == 2
                and len(card["tags"]) == 2
                and card["relatedEnterprises"][0]["url"]
            )
            check(complete, "GraphQL card", card)
        return cards

    @staticmethod
    def api_v2_cards(response, size: int) -> list[dict]:
        """The cards of an API v2 answer, checked to be complete."""
        payload = json.loads(response.content)
        check(response.status_code == 200, "API v2", payload)
        cards = payload["items"]
        total = payload["meta"]["total_count"]
        check(total == size and len(cards) == size, "API v2 count", payload)
        for card in cards:
            complete = (
                card["hero_image"]["url"]
                and len(card["industries"]) == 2
                and len(card["tags"]) == 2
                and card["related_enterprises"][0]["meta"]["html_url"]
            )
            check(complete, "API v2 card", card)
        return cards


def check(condition, what: str, payload) -> None:
    """Stop when an API's answer is not the content it was given (a setup error)."""
    if not condition:
        text = json.dumps(payload, ensure_ascii=False, default=str)[:800]
        raise SystemExit(f"bench: unexpected {what} answer, the comparison would be void: {text}")


@dataclass
class Measurement:
    queries: int
    median_ms: float
    size_bytes: int  # as sent
    minified_bytes: int  # the same JSON without indentation


def minified_size(response) -> int:
    """Bytes of the answer as compact UTF-8 JSON (API v2 indents its answers, GraphQL not)."""
    data = json.loads(response.content)
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def count_queries(send) -> tuple[int, object]:
    """SQL queries of one request (in a request of its own: capturing slows it down)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = send()
    return len(captured), response


def measure_size(endpoints: Endpoints, size: int, reps: int) -> tuple[Measurement, Measurement]:
    """Warm both APIs up, check their answers agree, then count queries and time them."""

    def send_graphql():
        return endpoints.graphql(size)

    def send_api_v2():
        return endpoints.api_v2(size)

    for _ in range(WARMUP_REQUESTS):
        graphql_response, api_v2_response = send_graphql(), send_api_v2()

    graphql_cards = endpoints.graphql_cards(graphql_response, size)
    api_v2_cards = endpoints.api_v2_cards(api_v2_response, size)
    same_order = [card["title"] for card in graphql_cards] == [c["title"] for c in api_v2_cards]
    check(same_order, "order (the two lists differ)", [graphql_cards[:2], api_v2_cards[:2]])

    graphql_queries, _ = count_queries(send_graphql)
    api_v2_queries, _ = count_queries(send_api_v2)

    gc.collect()  # leftovers of building the content are not the APIs' garbage
    # Interleaved, alternating which goes first, so drift (CPU frequency, caches, other
    # processes) hits both APIs alike; the median then drops the odd slow request.
    timings: dict[str, list[float]] = {"graphql": [], "api_v2": []}
    for rep in range(reps):
        pair = [("graphql", send_graphql), ("api_v2", send_api_v2)]
        for name, send in pair if rep % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            response = send()
            timings[name].append((time.perf_counter() - started) * 1000)
            # Only the status (checked outside the timing): a throttled or failing request
            # would be quick and flatter whichever API it hit.
            check(response.status_code == 200, f"{name} status", response.status_code)

    return tuple(
        Measurement(
            queries=queries,
            median_ms=statistics.median(timings[name]),
            size_bytes=len(response.content),
            minified_bytes=minified_size(response),
        )
        for name, queries, response in (
            ("graphql", graphql_queries, graphql_response),
            ("api_v2", api_v2_queries, api_v2_response),
        )
    )


# ---------------------------------------------------------------------------- report


def describe_environment(reps: int) -> str:
    import django
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
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, {database}, {os.cpu_count()} CPUs; "
        f"median of {reps} requests per cell after {WARMUP_REQUESTS} warm-up requests"
    )


def format_table(rows: list[tuple[int, Measurement, Measurement]]) -> str:
    header = (
        "items",
        "queries GQL",
        "queries v2",
        "ms GQL",
        "ms v2",
        "v2/GQL time",
        "bytes GQL",
        "bytes v2",
    )
    lines = []
    for size, graphql, api_v2 in rows:
        lines.append(
            (
                str(size),
                str(graphql.queries),
                str(api_v2.queries),
                f"{graphql.median_ms:.1f}",
                f"{api_v2.median_ms:.1f}",
                f"{api_v2.median_ms / graphql.median_ms:.2f}×",
                f"{graphql.size_bytes:,}",
                f"{api_v2.size_bytes:,}",
            )
        )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *map(render, lines)])


def format_notes(rows: list[tuple[int, Measurement, Measurement]]) -> str:
    """Queries per extra item between the smallest and the largest size; sizes minified."""
    (small, graphql_small, api_small), (large, graphql_large, api_large) = rows[0], rows[-1]
    if large == small:
        slopes = "queries per extra item: needs two sizes (e.g. --sizes 10,100)"
    else:

        def slope(first: Measurement, last: Measurement) -> str:
            return f"{(last.queries - first.queries) / (large - small):.2f}"

        slopes = (
            f"queries per extra item ({small}→{large} items): "
            f"GraphQL {slope(graphql_small, graphql_large)}, "
            f"API v2 {slope(api_small, api_large)}"
        )
    # API v2 indents its JSON by four spaces; re-encoded compactly, the sizes compare content.
    minified = ", ".join(
        f"{graphql.minified_bytes:,} vs {api_v2.minified_bytes:,}" for _, graphql, api_v2 in rows
    )
    return f"{slopes}\nbytes minified, GraphQL vs API v2: {minified}"


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    var_dir = Path(tempfile.mkdtemp(prefix="mosprom-bench-"))
    try:
        start_django(var_dir, args.database_url)
        from django.db import connection

        # A database of our own (SQLite file in var_dir, or test_<name> on the server):
        # the one DATABASE_URL names is never written to.
        configured_name = connection.settings_dict["NAME"]
        print("Setting up a throwaway database…", file=sys.stderr, flush=True)
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            content = build_site()
            endpoints = Endpoints()
            rows = []
            for size in args.sizes:
                print(f"Measuring {size} news items…", file=sys.stderr, flush=True)
                grow_to(content, size)
                rows.append((size, *measure_size(endpoints, size, args.reps)))
            environment = describe_environment(args.reps)
        finally:
            connection.creation.destroy_test_db(configured_name, verbosity=0)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    print()
    print("News-list cards: GraphQL POST /graphql/ newsList(first: N)")
    print(f"           vs. Wagtail API v2 GET {api_v2_url('N', encode=False)}")
    print(environment)
    print()
    print(format_table(rows))
    print()
    print(format_notes(rows))
    print(f"(whole run: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
