"""gunicorn's configuration: read by itself when started here (``gunicorn``), or with ``-c``.

Every value comes from the environment variables cms/settings.py reads, with the same
defaults. Django is not imported: the master process stays small and opens no database
or cache connection its workers could inherit. ``env_int`` repeats the settings' few
lines because importing cms.settings would run all of it (and want a SECRET_KEY) in the
master.
"""

import gc
import os


def env_int(name: str, default: int) -> int:
    """An integer environment variable, as cms/settings.py reads it."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


wsgi_app = "cms.wsgi:application"

# BIND wins; else PORT (platforms that assign one expect every interface); else loopback.
bind = [
    os.environ.get("BIND")
    or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")
]

# Sync workers, one request each: 2 per CPU + 1 keeps the CPUs busy while some wait on
# PostgreSQL. The cap bounds the database connections one server holds. CPUs this process
# may use (a container's cpuset); a CPU quota is not seen: set WEB_CONCURRENCY there.
MAX_WORKERS = 12
_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = env_int("WEB_CONCURRENCY", min(2 * (_cpus or 1) + 1, MAX_WORKERS))

# The worker timeout (a worker silent this long is killed) must be above the longest
# request the application itself bounds, so that the application's own limit answers
# first (TIME_LIMIT_EXCEEDED, BUSY) instead of a killed worker and a 502:
# - a read: no query starts after GRAPHQL_TIME_BUDGET_SECONDS, and the last one may run
#   for a whole statement timeout;
# - a booking: it waits up to BOOKING_LOCK_TIMEOUT_SECONDS for its session's lock, then
#   its statements run under the same statement timeout.
# E-mails and webhooks are never sent inside a production request (the outbox hands them
# to the task worker), so EMAIL_TIMEOUT and CONTENT_WEBHOOK_TIMEOUT do not count.
# A limit of 0 means none: such a request is then bounded by this timeout alone, given
# UNBOUNDED_SECONDS for its part.
UNBOUNDED_SECONDS = 60
# Redis calls (CACHE_TIMEOUT_SECONDS each), rendering and writing the answer.
MARGIN_SECONDS = 10
statement_seconds = env_int("DB_STATEMENT_TIMEOUT_MS", 15_000) / 1000 or UNBOUNDED_SECONDS
read_seconds = (env_int("GRAPHQL_TIME_BUDGET_SECONDS", 10) or UNBOUNDED_SECONDS) + statement_seconds
booking_seconds = (
    env_int("BOOKING_LOCK_TIMEOUT_SECONDS", 30) or UNBOUNDED_SECONDS
) + statement_seconds
timeout = int(max(read_seconds, booking_seconds) + MARGIN_SECONDS)
# On SIGTERM or SIGHUP, requests under way may finish: as long as the longest may take.
graceful_timeout = timeout

# The sync worker closes every connection after its answer and ignores this; it matters
# with a worker class that keeps connections (gthread): a few seconds, for the load
# balancer's reused connections.
keepalive = 5

# Insurance against slow leaks (caches, C extensions): each worker is replaced after about
# this many requests, the jitter keeping them from all restarting at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Access log on stdout with the time each request took. The path without its query string
# and no Referer: GraphQL GET queries and the front end's preview links carry tokens.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Addresses (the load balancer's) trusted for X-Forwarded-Proto & co.: gunicorn then
# gives Django the client's scheme. gunicorn's own variable and default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Off: each worker imports the application itself. Preloading would share memory, but
# whatever the import opened (a database or Redis connection) would then be shared by
# every forked worker, interleaving their traffic on one socket; and SIGHUP would not
# load new code, the master holding the old.
preload_app = False

# The workers' liveness files: on disk, an fchmod can block a worker; /dev/shm is memory.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn ≥ 24 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl),
# which a second server on the host would take over: only where a path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# Garbage collection: a worker holds ~250k long-lived objects (Django, Wagtail, the
# schema) that every full collection would scan again, each costing a pause that shows
# in the slowest requests. After the first request (everything imported and built) they
# are frozen out of the collector's sight, and a larger first generation collects the
# short-lived objects of a request less often. GUNICORN_GC_TUNING=0 turns both off (to
# measure the difference: bench/).
GC_TUNING = os.environ.get("GUNICORN_GC_TUNING", "1") != "0"
GC_THRESHOLD = (50_000, 20, 100)


def post_worker_init(worker):
    if GC_TUNING:
        gc.set_threshold(*GC_THRESHOLD)


def post_request(worker, req, environ, resp):
    if GC_TUNING and not getattr(worker, "gc_frozen", False):
        worker.gc_frozen = True
        gc.collect()
        gc.freeze()
