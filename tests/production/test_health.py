"""``/healthz`` and ``/readyz``, as a load balancer's probes meet them.

The probes come with a Host that ``ALLOWED_HOSTS`` does not list and over plain HTTP with
``SECURE_SSL_REDIRECT`` on; ``/healthz`` needs neither the database nor the cache. The
readiness checks run in threads of their own (connections of their own), so the tests
that reach them commit their data (``transaction=True``). Failures are real where that is
cheap: a database file that cannot be opened or a closed PostgreSQL port, a Redis port
nobody listens on, a Redis server frozen with SIGSTOP.
"""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cms import health
from jobs.models import WorkerHeartbeat
from tests.production.redis_server import free_port, redis_server  # noqa: F401

DB_BACKEND = "django_tasks_db.DatabaseBackend"
IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
FOREIGN_HOST = "10.20.30.40:8000"  # what a load balancer sends: the instance's address
REDIS_BACKEND = "cms.cache_backends.RedisCache"

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def fresh_health_state(monkeypatch):
    """Each test computes the migration plan again and has no check thread in flight."""
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_running", {})


@pytest.fixture
def db_tasks(settings):
    """Tasks queued in the database, run by a worker that must beat its heartbeat."""
    settings.TASKS = {"default": {"BACKEND": DB_BACKEND}}
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    return settings


def beat(seconds_ago: float = 0) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id="worker-1", started_at=seen, seen_at=seen)


def redis_cache(location: str, timeout: float) -> dict:
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    return {
        "BACKEND": REDIS_BACKEND,
        "LOCATION": location,
        "OPTIONS": {**options, "retry_on_timeout": False},
    }


def probe(client, path: str = "/readyz", method: str = "get", **extra):
    """One probe as a load balancer sends it: foreign Host, plain HTTP."""
    return getattr(client, method)(path, HTTP_HOST=FOREIGN_HOST, **extra)


def assert_unready(response, failed: dict[str, str]):
    """503 with Retry-After, never cached, and exactly ``failed`` among the checks."""
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["checks"]) == set(health.CHECKS)
    for name, outcome in body["checks"].items():
        assert outcome == failed.get(name, outcome)
        if name not in failed:
            assert outcome in health.PASSING, body
    return body


# --- /healthz --------------------------------------------------------------------------


def test_healthz_answers_any_host_without_database_or_cache(client, settings):
    """No ``db`` mark: pytest-django would fail any query. The cache is a dead Redis, the
    HTTPS redirect is on and the Host is foreign: still 200 at once."""
    settings.SECURE_SSL_REDIRECT = True
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{free_port()}/0", 5),
    }
    response = probe(client, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    # The same Host and scheme anywhere else: refused and redirected as before.
    assert probe(client, "/graphql/").status_code == 400
    assert client.get("/graphql/").status_code == 301


def test_health_paths_are_get_and_head_only(client):
    for path in ("/healthz", "/readyz"):
        response = probe(client, path, "post")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert response["Cache-Control"] == "no-store"
    head = probe(client, "/healthz", "head")
    assert head.status_code == 200
    assert head.content == b""


def test_url_patterns_serve_the_views_without_the_middleware(client, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "cms.health.HealthCheckMiddleware"
    ]
    assert client.get("/healthz").json() == {"status": "ok"}


# --- /readyz: ready ----------------------------------------------------------------------


@transactional
def test_ready_with_a_fresh_worker_heartbeat(client, db_tasks):
    beat(seconds_ago=5)
    response = probe(client)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    assert "Retry-After" not in response
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok", "worker": "ok"},
    }
    head = probe(client, method="head")
    assert head.status_code == 200


@transactional
def test_in_process_tasks_need_no_worker(client, settings):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    response = probe(client)
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"] == "inline"


@transactional
def test_worker_check_off_when_max_age_is_zero(client, db_tasks):
    db_tasks.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 0
    response = probe(client)
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"] == "skipped"


@transactional
def test_migration_plan_is_computed_until_it_is_empty_then_never_again(
    client, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    plans = []
    real_plan = MigrationExecutor.migration_plan

    def counted_plan(self, targets, clean_start=False):
        plans.append(targets)
        return real_plan(self, targets, clean_start)

    monkeypatch.setattr(MigrationExecutor, "migration_plan", counted_plan)
    for _ in range(3):
        assert probe(client).status_code == 200
    assert len(plans) == 1


# --- /readyz: unready --------------------------------------------------------------------


@transactional
def test_unready_without_a_worker_heartbeat(client, db_tasks):
    assert_unready(probe(client), {"worker": "missing"})


@transactional
def test_unready_with_a_stale_worker_heartbeat(client, db_tasks):
    beat(seconds_ago=61)
    assert_unready(probe(client), {"worker": "stale"})


@transactional
def test_unready_with_an_unapplied_migration(client, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("migration", False)]
    )
    assert_unready(probe(client), {"migrations": "unapplied"})
    assert health._migrations_applied is False  # asked again on the next probe


@transactional
def test_unready_when_the_database_is_unreachable(client, db_tasks, monkeypatch, tmp_path):
    """New connections (the checks' own) go to a database that cannot be opened: a
    missing folder for SQLite, a port nobody listens on for PostgreSQL."""
    beat()
    settings_dict = connections.settings["default"]
    port = str(free_port())
    if connections["default"].vendor == "sqlite":
        broken = {**settings_dict, "NAME": str(tmp_path / "missing" / "db.sqlite3")}
    else:
        broken = {**settings_dict, "HOST": "127.0.0.1", "PORT": port}
    monkeypatch.setitem(connections.settings, "default", broken)
    response = probe(client)
    body = assert_unready(
        response,
        {"database": "unavailable", "migrations": "unavailable", "worker": "unavailable"},
    )
    assert body["checks"]["cache"] == "ok"
    # No error text: neither the path nor the address of the database.
    text = json.dumps(body)
    assert "missing" not in text and port not in text and "127.0.0.1" not in text


@transactional
def test_unready_when_the_cache_is_unreachable(client, settings):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    port = free_port()
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{port}/0", 0.5),
    }
    body = assert_unready(probe(client), {"cache": "unavailable"})
    assert str(port) not in json.dumps(body)


@transactional
def test_a_real_redis_up_then_hung(client, settings, monkeypatch, redis_server):  # noqa: F811
    """The production cache backend on a real redis-server: ready while it answers; once
    frozen (connections accepted, nothing answered) the probe answers by its deadline."""
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    # Socket timeouts far above the checks' own: only the thread's timeout ends the wait.
    settings.CACHES = {**settings.CACHES, "default": redis_cache(redis_server.url_for(2), 30)}
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.5)
    assert probe(client).json()["checks"]["cache"] == "ok"
    redis_server.pause()
    try:
        # "timeout" comes only from the probe's own deadline: it did not wait for Redis.
        assert_unready(probe(client), {"cache": "timeout"})
    finally:
        redis_server.resume()
    health._running["cache"].join(5)  # the hung check ends once Redis answers again
    assert probe(client).status_code == 200


@transactional
def test_a_hung_check_costs_its_timeout_and_is_not_started_twice(client, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.3)
    release, calls = threading.Event(), []

    def hanging_select():
        calls.append(1)
        release.wait(10)

    monkeypatch.setattr(health, "_check_database", hanging_select)
    try:
        for _ in range(2):
            # The check blocks for 10 s; "timeout" means the probe answered by its deadline.
            assert_unready(probe(client), {"database": "timeout", "migrations": "timeout"})
        assert len(calls) == 1  # the second probe found the first one's thread still waiting
    finally:
        release.set()
        health._running["database"].join(5)
    assert probe(client).status_code == 200
