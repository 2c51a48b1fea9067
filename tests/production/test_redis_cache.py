"""The shared cache in production: Django's RedisCache against a real redis-server.

The caches are what cms/settings.py makes of ``CACHE_URL=redis://…``, pointed at a
redis-server of this test run (``tests.production.redis_server``). In this process:
rate limits count exactly over many connections, GraphQL answers are kept in Redis under
the content generation token and a publish makes them unreachable, and while Redis is
stopped or hung (the socket timeout ends each wait) the endpoint answers: content reads
from the database, anything that needs the cache (a booking's rate limit above all) 503
with ``Retry-After``. Then
four gunicorn workers share one Redis: one rate limit for all of them, and a publish
seen through every worker at once.
"""

import http.client
import json
import logging
import os
import runpy
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from urllib.parse import urlencode

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from booking import ratelimit
from booking.models import Registration
from catalogue.models import Industry
from changes.content import GENERATION_KEY, current_version
from pages.models import NewsPage
from tests import factories
from tests.production.redis_server import free_port, redis_server, skip_or_fail  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
REDIS_BACKEND = "cms.cache_backends.RedisCache"

NEWS = "query($slug: String!) { news(slug: $slug) { title lead } }"
# A page's url goes through Wagtail's site root paths, which Wagtail caches itself.
NEWS_URL = "query($slug: String!) { news(slug: $slug) { title url } }"
REGISTER = """
mutation($input: RegisterForSessionInput!) {
  registerForSession(input: $input) {
    registration { status }
    errors { code }
  }
}
"""
INDUSTRIES = "{ industries(first: 10) { edges { node { name } } } }"


def production_caches(monkeypatch, cache_url: str, **env: str) -> dict:
    """The CACHES that cms/settings.py makes of ``CACHE_URL`` (and ``env``) in production."""
    monkeypatch.setenv("CACHE_URL", cache_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPO / "cms" / "settings.py"))["CACHES"]


def redis_keys(raw: redis.Redis, pattern: str) -> list[str]:
    return sorted(key.decode() for key in raw.keys(pattern))


@pytest.fixture
def shared_cache(redis_server, monkeypatch):  # noqa: F811 (the imported fixture)
    """Django's caches as in production, on an empty database 0 of the test Redis; yields
    a plain redis client to look at what is stored."""
    raw = redis.Redis.from_url(redis_server.url)
    raw.flushdb()
    with override_settings(CACHES=production_caches(monkeypatch, redis_server.url)):
        # override_settings' setting_changed drops the cached cache objects: Redis now.
        assert isinstance(caches["default"], RedisCache)
        yield raw
    assert not isinstance(caches["default"], RedisCache)
    raw.close()


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, title="Первая версия")


def register_input(session_id, email="maria@example.org"):
    return {
        "input": {
            "sessionId": str(session_id),
            "name": "Мария Петрова",
            "email": email,
            "phone": "8 (900) 111-22-33",
            "seats": 1,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
    }


# --- The settings -----------------------------------------------------------------------


def test_each_alias_is_redis_with_its_own_prefix_and_short_timeouts(
    redis_server,  # noqa: F811
    monkeypatch,
):
    configured = production_caches(monkeypatch, redis_server.url, CACHE_TIMEOUT_SECONDS="1.5")
    assert set(configured) == {"default", "renditions", "graphql_responses"}
    assert {alias["BACKEND"] for alias in configured.values()} == {REDIS_BACKEND}
    prefixes = [alias["KEY_PREFIX"] for alias in configured.values()]
    assert all(prefixes) and len(set(prefixes)) == len(prefixes)
    for alias in configured.values():
        assert alias["OPTIONS"] == {
            "socket_connect_timeout": 1.5,
            "socket_timeout": 1.5,
            "retry_on_timeout": False,
        }

    raw = redis.Redis.from_url(redis_server.url)
    raw.flushdb()
    with override_settings(CACHES=configured):
        for alias in configured:
            caches[alias].set("same-key", alias)
        # One Redis database, three key spaces.
        assert {alias: caches[alias].get("same-key") for alias in configured} == {
            alias: alias for alias in configured
        }
        assert len(redis_keys(raw, "*same-key")) == 3

    for bad in ("0", "-1", "soon"):
        with pytest.raises(ImproperlyConfigured, match="CACHE_TIMEOUT_SECONDS"):
            production_caches(monkeypatch, redis_server.url, CACHE_TIMEOUT_SECONDS=bad)


# --- Rate limits ------------------------------------------------------------------------


def test_rate_limit_counts_are_shared_and_exact(shared_cache):
    """Attempts at once from many connections (a cache object, and so a connection pool,
    per thread, as per worker): exactly ``limit`` pass, and Redis holds the whole count."""
    threads, attempts, limit = 8, 48, 10
    start = Barrier(threads)
    connections = []

    def worker(_thread: int) -> list[bool]:
        connections.append(caches["default"])  # this thread's own
        start.wait()
        return [ratelimit.allow("test", "203.0.113.9", limit) for _ in range(attempts // threads)]

    with ThreadPoolExecutor(threads) as pool:
        allowed = [result for batch in pool.map(worker, range(threads)) for result in batch]
    assert len({id(connection) for connection in connections}) == threads
    assert len(allowed) == attempts
    assert allowed.count(True) == limit

    (key,) = redis_keys(shared_cache, "*ratelimit:test:203.0.113.9:*")
    assert int(shared_cache.get(key)) == attempts
    assert 3600 < shared_cache.ttl(key) <= 3660  # the window and a minute


# --- The response cache -----------------------------------------------------------------


def stored_answers(shared_cache) -> list[str]:
    """The answers' keys (each has an ETag key beside it, for 304s without the body)."""
    keys = redis_keys(shared_cache, "*graphql:response:*")
    assert len(keys) % 2 == 0
    return [key for key in keys if not key.endswith(":etag")]


def test_answers_are_kept_in_redis_and_a_publish_makes_them_unreachable(
    shared_cache, graphql, news, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = graphql.get(NEWS, {"slug": news.slug})
    assert first.status_code == 200
    assert first.json()["data"]["news"]["title"] == "Первая версия"
    (stored,) = stored_answers(shared_cache)
    token = caches["graphql_responses"].get(GENERATION_KEY)
    # Stored with the generation token, which lives beside it (one round trip per hit).
    key = stored.split(":", 2)[2]  # Redis's key less Django's prefix and key version
    assert token and caches["graphql_responses"].get(key)[0] == token

    # Answered from Redis: not even the content version costs a query now.
    with django_assert_num_queries(0):
        second = graphql.get(NEWS, {"slug": news.slug})
    assert second.content == first.content
    # The negative control: a change no signal reports stays unseen.
    NewsPage.objects.filter(pk=news.pk).update(title="Тихая правка")
    assert graphql.get(NEWS, {"slug": news.slug}).content == first.content

    version = current_version()
    news.title = "Вторая версия"
    with django_capture_on_commit_callbacks(execute=True):
        news.save_revision().publish()
    # The database's counter (webhooks' contentVersion) still counts; the token is new.
    assert current_version() == version + 1
    assert caches["graphql_responses"].get(GENERATION_KEY) not in (None, token)
    third = graphql.get(NEWS, {"slug": news.slug})
    assert third.json()["data"]["news"]["title"] == "Вторая версия"
    # The newer answer replaced the older one in place.
    assert stored_answers(shared_cache) == [stored]
    assert caches["graphql_responses"].get(key)[0] not in (None, token)


def redis_commands(raw: redis.Redis) -> dict[str, int]:
    """Commands the server ran since its statistics were last reset, by name."""
    return {
        name.removeprefix("cmdstat_"): stats["calls"]
        for name, stats in raw.info("commandstats").items()
        if not name.startswith(("cmdstat_info", "cmdstat_config"))
    }


def test_a_cache_hit_is_one_round_trip_to_redis(shared_cache, graphql, news):
    """The generation token and the answer come in one MGET; a 304 reads only the ETag."""
    first = graphql.get(NEWS, {"slug": news.slug})
    assert first.status_code == 200
    shared_cache.config_resetstat()
    assert graphql.get(NEWS, {"slug": news.slug}).content == first.content
    assert redis_commands(shared_cache) == {"mget": 1}

    shared_cache.config_resetstat()
    revalidated = graphql.get(NEWS, {"slug": news.slug}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    assert redis_commands(shared_cache) == {"mget": 1}


def test_one_redis_client_per_connection_pool_safe_to_share(shared_cache):
    """Django would build a client per operation; ours keeps one. Django's ``caches``
    gives each thread its own backend, but one backend used by several threads at once
    (as an object handed around may be) must still answer each correctly."""
    from concurrent.futures import ThreadPoolExecutor

    cache = caches["graphql_responses"]
    client = cache._cache.get_client("key")
    assert cache._cache.get_client("other", write=True) is client
    cache.set_many({f"shared:{n}": f"значение {n}" for n in range(40)})
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = list(pool.map(lambda n: cache.get(f"shared:{n}"), range(40)))
    assert values == [f"значение {n}" for n in range(40)]
    assert cache._cache.get_client() is client


def test_any_key_is_taken_as_it_is_without_memcached_warnings(shared_cache):
    import warnings

    cache = caches["graphql_responses"]
    key = "ответ с пробелами:" + "x" * 300  # memcached would refuse both
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, "значение")
        assert cache.get_many([key, "нет такого"]) == {key: "значение"}
    assert cache.get(key) == "значение"


def test_a_lost_token_is_replaced_by_one_never_seen(shared_cache, graphql, news):
    """An evicted token (or a restarted Redis) must not bring back older answers."""
    assert graphql.get(NEWS, {"slug": news.slug}).json()["data"]["news"]["title"] == (
        "Первая версия"
    )
    old_token = caches["graphql_responses"].get(GENERATION_KEY)
    NewsPage.objects.filter(pk=news.pk).update(title="Тихая правка")
    caches["graphql_responses"].delete(GENERATION_KEY)

    response = graphql.get(NEWS, {"slug": news.slug})
    assert response.json()["data"]["news"]["title"] == "Тихая правка"
    assert caches["graphql_responses"].get(GENERATION_KEY) not in (None, old_token)


def test_answers_above_the_entry_size_are_not_stored_in_redis(
    shared_cache, graphql, news, settings
):
    settings.GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES = 20
    assert graphql.get(NEWS, {"slug": news.slug}).status_code == 200
    assert redis_keys(shared_cache, "graphql:*:graphql:response:*") == []


# --- Redis down, and back -----------------------------------------------------------------


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_while_redis_is_down_answers_are_honest_and_it_recovers(
    outage,
    redis_server,  # noqa: F811 (the imported fixture)
    shared_cache,
    graphql,
    site_tree,
    news,
    caplog,
):
    """Stopped: connections are refused. Hung (SIGSTOP): they open, nothing answers, and
    the socket timeout ends the wait. Content reads fall back to the database; what needs
    the cache (the booking's rate limit, Wagtail's site paths) is 503, never a hang."""
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=5)
    assert graphql.get(NEWS, {"slug": news.slug}).status_code == 200  # cached now
    NewsPage.objects.filter(pk=news.pk).update(title="Тихая правка")

    go_down, come_back = {
        "stopped": (redis_server.stop, redis_server.start),
        "hung": (redis_server.pause, redis_server.resume),
    }[outage]
    go_down()
    try:
        with caplog.at_level(logging.WARNING, logger="graphql_schema"):
            read = graphql.get(NEWS, {"slug": news.slug})
        # From the database (the silent change shows), and not stored anywhere.
        assert read.status_code == 200, read.content
        assert read.json()["data"]["news"]["title"] == "Тихая правка"
        assert "response cache unreachable" in caplog.text

        assert_unavailable(graphql.post(NEWS_URL, {"slug": news.slug}))

        # The rate limit cannot be counted: refused, not let through.
        assert_unavailable(graphql.post(REGISTER, register_input(session.pk)))
        assert not Registration.objects.exists()
    finally:
        come_back()

    assert redis_server.ping()
    assert graphql.get(NEWS, {"slug": news.slug}).status_code == 200
    assert redis_keys(shared_cache, "graphql:*:graphql:response:*")  # stored in Redis again
    assert graphql.post(NEWS_URL, {"slug": news.slug}).status_code == 200
    data = graphql(REGISTER, register_input(session.pk))["registerForSession"]
    assert data["errors"] == []
    assert data["registration"]["status"] == "PENDING"
    assert redis_keys(shared_cache, "*ratelimit:booking:register:*")


# --- Four gunicorn workers, one Redis -----------------------------------------------------

WORKERS = 4
RATE_LIMIT = 5
# Clients at once: more than the workers, so that busy workers leave requests to others.
CLIENTS = 8
ACCESS_LOG_FORMAT = "%(p)s %({x-request-id}i)s %(s)s"
INDUSTRY_SLUG = "stankostroenie"


class Site:
    """A gunicorn server of cms.wsgi with its own SQLite file, on the test Redis."""

    def __init__(self, port: int, env: dict, database: Path, access_log: Path):
        self.port = port
        self.env = env
        self.database = database
        self.access_log = access_log

    def request(self, method: str, query: str, variables=None, headers=None):
        """One request on a connection of its own; returns (request id, status, payload)."""
        request_id = f"{method}-{secrets.token_hex(6)}"
        headers = {"Connection": "close", "X-Request-Id": request_id, **(headers or {})}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            if method == "GET":
                params = {"query": query}
                if variables is not None:
                    params["variables"] = json.dumps(variables)
                headers["Accept"] = "application/json"
                connection.request("GET", "/graphql/?" + urlencode(params), headers=headers)
            else:
                body = json.dumps({"query": query, "variables": variables})
                headers["Content-Type"] = "application/json"
                connection.request("POST", "/graphql/", body=body.encode(), headers=headers)
            response = connection.getresponse()
            return request_id, response.status, json.loads(response.read())
        finally:
            connection.close()

    def pids_of(self, request_ids: list[str]) -> dict[str, str]:
        """Which worker served each request, from the access log (written just after)."""
        wanted = set(request_ids)
        deadline = time.monotonic() + 5
        while True:
            found = {}
            for line in self.access_log.read_text().splitlines():
                pid, request_id, _status = line.split(" ")
                if request_id in wanted:
                    found[request_id] = pid
            if len(found) == len(wanted) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def spread(self, method: str, query: str, variables=None, headers=None, at_least: int = 0):
        """The same request from CLIENTS clients at once, in rounds, until every worker has
        served some (and ``at_least`` are sent); returns [(worker pid, status, payload)]."""
        answers = []
        deadline = time.monotonic() + 20
        with ThreadPoolExecutor(CLIENTS) as pool:
            while True:
                batch = list(
                    pool.map(
                        lambda _: self.request(method, query, variables, headers),
                        range(CLIENTS),
                    )
                )
                pids = self.pids_of([request_id for request_id, _, _ in batch])
                answers += [(pids.get(rid), status, body) for rid, status, body in batch]
                served_by = {pid for pid, _, _ in answers if pid}
                if len(served_by) >= WORKERS and len(answers) >= at_least:
                    return answers
                assert time.monotonic() < deadline, f"only workers {served_by} answered"

    def manage(self, *args: str) -> str:
        """Run manage.py with the server's environment; returns its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


@pytest.fixture(scope="module")
def gunicorn_site(redis_server, tmp_path_factory):  # noqa: F811
    """``gunicorn cms.wsgi -w 4`` with production settings, CACHE_URL on database 1 of the
    test Redis (other tests empty database 0) and a migrated SQLite file of its own."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        skip_or_fail("gunicorn is not installed (the production extra)")
    root = tmp_path_factory.mktemp("gunicorn")
    cache_url = redis_server.url_for(1)
    redis.Redis.from_url(cache_url).flushdb()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "AWS_", "CACHE_", "BOOKING_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
        VAR_DIR=str(root),
        STATIC_ROOT=str(root / "static"),
        CACHE_URL=cache_url,
        BOOKING_RATE_LIMIT_PER_HOUR=str(RATE_LIMIT),
        # The clients' addresses come from X-Forwarded-For, as behind a proxy.
        USE_X_FORWARDED_FOR="true",
        # In-process tasks, as in the rest of the test suite; no webhooks.
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        CONTENT_WEBHOOK_URLS="",
        LOG_LEVEL="WARNING",
    )
    site = Site(free_port(), env, root / "db.sqlite3", root / "access.log")
    error_log = root / "error.log"
    # The workers boot (no database needed yet) while the database is migrated.
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "cms.wsgi"),
            *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{site.port}"),
            *("--access-logfile", str(site.access_log), "--access-logformat", ACCESS_LOG_FORMAT),
            # Its master waits this long at shutdown, even once the workers have gone.
            *("--error-logfile", str(error_log), "--graceful-timeout", "1"),
        ],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    try:
        site.manage("migrate", "--noinput")
        site.manage(
            "shell",
            "-c",
            "from catalogue.models import Industry; "
            f"Industry.objects.create(name='Станкостроение', slug='{INDUSTRY_SLUG}')",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                _, status, _ = site.request("GET", "{ __typename }")
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{error_log.read_text()}")
            time.sleep(0.1)
        yield site
    finally:
        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def codes_of(answers) -> Counter:
    return Counter(
        body["data"]["registerForSession"]["errors"][0]["code"] for _, _, body in answers
    )


def test_one_rate_limit_for_all_workers(gunicorn_site):
    """Each worker alone would let RATE_LIMIT through; together they let exactly that."""
    # The limit counts per clock hour: not across one's edge.
    seconds_left = 3600 - time.time() % 3600
    if seconds_left < 15:
        time.sleep(seconds_left + 1)
    variables = register_input(999999)  # no such session
    answers = gunicorn_site.spread(
        "POST", REGISTER, variables, {"X-Forwarded-For": "198.51.100.7"}, at_least=6 * RATE_LIMIT
    )
    assert {status for _, status, _ in answers} == {200}
    codes = codes_of(answers)
    # Under the limit the unknown session is NOT_FOUND; over it, refused before that.
    assert codes == {"NOT_FOUND": RATE_LIMIT, "RATE_LIMITED": len(answers) - RATE_LIMIT}
    assert len({pid for pid, _, _ in answers}) == WORKERS

    # Another address has a count of its own.
    _, _, body = gunicorn_site.request(
        "POST", REGISTER, variables, {"X-Forwarded-For": "198.51.100.8"}
    )
    assert body["data"]["registerForSession"]["errors"][0]["code"] == "NOT_FOUND"


def industry_names(answers) -> set[str]:
    return {
        edge["node"]["name"]
        for _, status, body in answers
        for edge in body["data"]["industries"]["edges"]
    }


def test_a_publish_is_seen_through_every_worker_at_once(gunicorn_site):
    _, status, body = gunicorn_site.request("GET", INDUSTRIES)  # one worker fills the cache
    assert status == 200
    assert industry_names([(None, status, body)]) == {"Станкостроение"}

    # A change no signal reports, straight into the database file: every worker still
    # answers what the one stored, so all of them read the shared cache.
    table = Industry._meta.db_table
    with sqlite3.connect(gunicorn_site.database) as database:
        database.execute(f"UPDATE {table} SET name = ? WHERE slug = ?", ("Тихо", INDUSTRY_SLUG))
    database.close()
    before = gunicorn_site.spread("GET", INDUSTRIES)
    assert industry_names(before) == {"Станкостроение"}

    # An editor's change in another process: content_changed renews the token in Redis.
    gunicorn_site.manage(
        "shell",
        "-c",
        "from catalogue.models import Industry; "
        f"industry = Industry.objects.get(slug='{INDUSTRY_SLUG}'); "
        "industry.name = 'Металлообработка'; industry.save()",
    )
    after = gunicorn_site.spread("GET", INDUSTRIES)
    assert {status for _, status, _ in after} == {200}
    assert industry_names(after) == {"Металлообработка"}
