"""Health endpoints for load balancers and orchestrators.

``/healthz`` (liveness): the process answers; it touches neither the database nor the
cache, so an outage of either never gets healthy processes restarted.

``/readyz`` (readiness): this process can serve requests now. It checks the database, the
shared cache, that every migration is applied and, when tasks are queued in the
database, that a task worker has beaten its heartbeat lately. 200 when all pass, else 503
with ``Retry-After``; the body names each check with a short outcome, never an error's
text (which can carry host names or credentials); those go to the log.

Load balancers send whatever Host they like (often the instance's address), which
``ALLOWED_HOSTS`` rightly refuses, and with ``SECURE_SSL_REDIRECT`` their plain-HTTP probes
would be redirected. ``HealthCheckMiddleware``, first in ``MIDDLEWARE``, answers both paths
before any other middleware looks at the request; the URL patterns serve them too when it
is not installed.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend

from graphql_schema.caching import CACHE_UNAVAILABLE_ERRORS
from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# All checks together answer within this; probes' own timeouts must be longer.
CHECK_TIMEOUT_SECONDS = 2.0
# As the GraphQL endpoint's 503s.
RETRY_AFTER_SECONDS = 5
ALLOWED_METHODS = ("GET", "HEAD")

OK = "ok"
# Outcomes that do not make the process unready: tasks run in-process, or no check wanted.
PASSING = frozenset({OK, "inline", "skipped"})
CHECKS = ("database", "cache", "migrations", "worker")

# Set once every migration is applied: computing the plan loads every migration module.
_migrations_applied = False
# The thread of each group of checks still running from an earlier probe.
_running: dict[str, threading.Thread] = {}
_running_lock = threading.Lock()


class CheckFailed(Exception):
    """A check's answer is "no"; ``reason`` is what the probe's body says."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _respond(status: int, payload: dict) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    # A probe must see this moment's state, never a cached one.
    response["Cache-Control"] = "no-store"
    # Answered before SecurityMiddleware, which would add it.
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _not_allowed() -> HttpResponseNotAllowed:
    response = HttpResponseNotAllowed(ALLOWED_METHODS)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """Liveness: 200 ``{"status": "ok"}`` whenever the process can answer at all."""
    if request.method not in ALLOWED_METHODS:
        return _not_allowed()
    return _respond(200, {"status": OK})


def readyz(request):
    """Readiness: 200 with every check's outcome, or 503 and ``Retry-After`` if one fails."""
    if request.method not in ALLOWED_METHODS:
        return _not_allowed()
    checks = run_checks()
    ready = all(outcome in PASSING for outcome in checks.values())
    response = _respond(
        200 if ready else 503, {"status": OK if ready else "unavailable", "checks": checks}
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def run_checks() -> dict[str, str]:
    """Every check's outcome by name, within ``CHECK_TIMEOUT_SECONDS`` in all.

    The checks run in threads, so a database or cache that does not answer (a dropped
    connection attempt can take minutes to fail) costs the probe its timeout, not a worker.
    The database checks share one thread and one connection of its own (Django's are not
    shared between threads), closed afterwards; the cache check uses the process's client.
    """
    results: dict[str, str] = {}
    worker_mode = _worker_mode()
    if worker_mode:
        results["worker"] = worker_mode
    deadline = time.monotonic() + CHECK_TIMEOUT_SECONDS
    threads = [
        _start("database", lambda: _database_checks(results, check_worker=not worker_mode)),
        # This thread's cache object, so its connection pool: no new Redis connection per probe.
        _start("cache", lambda cache=caches["default"]: _cache_checks(results, cache)),
    ]
    for thread in threads:
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
    # Whatever has no outcome yet ran out of time (or still hangs from an earlier probe).
    return {name: results.get(name, "timeout") for name in CHECKS}


def _start(group: str, target: Callable[[], None]) -> threading.Thread | None:
    """Run ``target`` in a daemon thread, unless this group's last thread still hangs:
    one stuck thread per group at most, not one per probe."""
    with _running_lock:
        previous = _running.get(group)
        if previous is not None and previous.is_alive():
            return None
        thread = threading.Thread(
            target=_in_thread, args=(target,), name=f"readyz-{group}", daemon=True
        )
        _running[group] = thread
    thread.start()
    return thread


def _in_thread(target: Callable[[], None]) -> None:
    try:
        target()
    finally:
        connections.close_all()  # this thread's own connections only


def _outcome(name: str, check: Callable[[], str | None]) -> str:
    """Run one check: OK (or what it returns), its reason, or a word for its exception."""
    try:
        return check() or OK
    except CheckFailed as failure:
        return failure.reason
    except (DatabaseError, *CACHE_UNAVAILABLE_ERRORS) as error:
        # Expected in an outage: one line, no traceback on every probe.
        logger.warning("readyz: %s unavailable: %s: %s", name, type(error).__name__, error)
        return "unavailable"
    except Exception:
        logger.exception("readyz: %s check failed", name)
        return "error"


def _database_checks(results: dict[str, str], check_worker: bool) -> None:
    results["database"] = _outcome("database", _check_database)
    dependent = ["migrations", "worker"] if check_worker else ["migrations"]
    if results["database"] != OK:
        for name in dependent:  # they need the database too; no second wait for it
            results[name] = results["database"]
        return
    results["migrations"] = _outcome("migrations", _check_migrations)
    if check_worker:
        results["worker"] = _outcome("worker", _check_worker)


def _cache_checks(results: dict[str, str], cache) -> None:
    results["cache"] = _outcome("cache", lambda: _check_cache(cache))


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache(cache) -> None:
    # A key of this probe's own: probes of other processes never overwrite it.
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise CheckFailed("mismatch")


def _check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CheckFailed("unapplied")
    _migrations_applied = True


def _worker_mode() -> str | None:
    """The worker check's outcome when it needs no query, else None."""
    backend = import_string(settings.TASKS["default"]["BACKEND"])
    if not issubclass(backend, DatabaseBackend):
        return "inline"  # tasks run in the web process itself: no worker to wait for
    if not settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
        return "skipped"
    return None


def _check_worker() -> None:
    latest = WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"]
    if latest is None:
        raise CheckFailed("missing")
    age = (timezone.now() - latest).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
        raise CheckFailed("stale")


HEALTH_VIEWS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before the Host check and the HTTPS redirect.

    Must come first in ``MIDDLEWARE``: ``CommonMiddleware`` validates the Host against
    ``ALLOWED_HOSTS`` on every request, and ``SecurityMiddleware`` redirects plain HTTP.
    Neither view reads the Host, a session or a user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = HEALTH_VIEWS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return view(request)
