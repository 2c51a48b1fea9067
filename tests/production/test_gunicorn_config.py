"""gunicorn.conf.py: its timeouts stay above every bound a request can hit, and it serves.

The configuration is loaded the way gunicorn loads it (its own application class, from the
repository root, no ``-c``), under default and custom environments. Then one real server:
``gunicorn`` with nothing but this file and production settings answers the probes,
reports unapplied migrations until ``migrate`` has run, reloads on SIGHUP while still
answering, and stops cleanly on SIGTERM.
"""

import http.client
import json
import os
import re
import runpy
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.production.redis_server import free_port, skip_or_fail

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "gunicorn.conf.py"
# What the configuration reads, cleared for the defaults.
VARIABLES = (
    "BIND",
    "PORT",
    "WEB_CONCURRENCY",
    "GRAPHQL_TIME_BUDGET_SECONDS",
    "DB_STATEMENT_TIMEOUT_MS",
    "BOOKING_LOCK_TIMEOUT_SECONDS",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_CONTROL_SOCKET",
    "FORWARDED_ALLOW_IPS",
)


@pytest.fixture
def gunicorn_app():
    try:
        from gunicorn.app.wsgiapp import WSGIApplication
    except ImportError:
        skip_or_fail("gunicorn is not installed (the production extra)")
    return WSGIApplication


def load(monkeypatch, gunicorn_app, **env):
    """gunicorn's settings when started in the repository root under ``env`` (others
    unset), and the configuration file's own namespace."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "argv", ["gunicorn"])  # no -c: the default file
    app = gunicorn_app("%(prog)s [OPTIONS] [APP_MODULE]")
    return app.cfg, runpy.run_path(str(CONFIG))


def assert_timeouts_cover_requests(cfg, namespace, budget, statement_ms, lock):
    statement = statement_ms / 1000
    assert namespace["read_seconds"] == budget + statement
    assert namespace["booking_seconds"] == lock + statement
    assert cfg.timeout > budget + statement
    assert cfg.timeout > lock + statement
    assert cfg.graceful_timeout >= cfg.timeout


def test_defaults(monkeypatch, gunicorn_app):
    cfg, namespace = load(monkeypatch, gunicorn_app)
    assert cfg.wsgi_app == "cms.wsgi:application"
    assert cfg.address[0] == ("127.0.0.1", 8000)
    assert_timeouts_cover_requests(cfg, namespace, budget=10, statement_ms=15_000, lock=30)
    cpus = len(os.sched_getaffinity(0))
    assert cfg.workers == min(2 * cpus + 1, namespace["MAX_WORKERS"])
    assert cfg.preload_app is False
    assert cfg.max_requests > 0 and 0 < cfg.max_requests_jitter < cfg.max_requests
    assert 1 <= cfg.keepalive <= 10
    assert cfg.accesslog == "-"
    # Request time, and nothing that carries a query string or a Referer (tokens).
    assert "%(M)s" in cfg.access_log_format
    for field in ("%(r)s", "%(q)s", "%(f)s", "%(u)s"):
        assert field not in cfg.access_log_format
    assert cfg.worker_tmp_dir == ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    assert cfg.control_socket_disable is True


@pytest.mark.parametrize(
    ("budget", "statement_ms", "lock"),
    [(10, 15_000, 30), (60, 40_000, 5), (2, 1_500, 120), (5, 0, 30), (0, 15_000, 0)],
)
def test_custom_limits_move_the_timeouts(monkeypatch, gunicorn_app, budget, statement_ms, lock):
    """0 is "no limit" in the settings: the config then allows UNBOUNDED_SECONDS for it."""
    cfg, namespace = load(
        monkeypatch,
        gunicorn_app,
        GRAPHQL_TIME_BUDGET_SECONDS=str(budget),
        DB_STATEMENT_TIMEOUT_MS=str(statement_ms),
        BOOKING_LOCK_TIMEOUT_SECONDS=str(lock),
    )
    unbounded = namespace["UNBOUNDED_SECONDS"]
    assert_timeouts_cover_requests(
        cfg,
        namespace,
        budget=budget or unbounded,
        statement_ms=statement_ms or unbounded * 1000,
        lock=lock or unbounded,
    )


def test_the_same_variables_and_defaults_as_the_settings(monkeypatch, gunicorn_app):
    """cms/settings.py, run afresh under the same environment, bounds the same times."""
    custom = {
        "GRAPHQL_TIME_BUDGET_SECONDS": "7",
        "DB_STATEMENT_TIMEOUT_MS": "2500",
        "BOOKING_LOCK_TIMEOUT_SECONDS": "45",
    }
    for env in ({}, custom):
        _, namespace = load(monkeypatch, gunicorn_app, **env)
        django_settings = runpy.run_path(str(REPO / "cms" / "settings.py"))
        statement = django_settings["DB_STATEMENT_TIMEOUT_MS"] / 1000
        assert namespace["statement_seconds"] == statement
        assert (
            namespace["read_seconds"] == django_settings["GRAPHQL_TIME_BUDGET_SECONDS"] + statement
        )
        assert namespace["booking_seconds"] == (
            django_settings["BOOKING_LOCK_TIMEOUT_SECONDS"] + statement
        )


def test_workers_bind_and_proxies_from_the_environment(monkeypatch, gunicorn_app):
    cfg, _ = load(monkeypatch, gunicorn_app, WEB_CONCURRENCY="3", PORT="9000")
    assert cfg.workers == 3
    assert cfg.address[0] == ("0.0.0.0", 9000)
    cfg, _ = load(
        monkeypatch,
        gunicorn_app,
        BIND="127.0.0.2:8100",
        PORT="9000",
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
        GUNICORN_MAX_REQUESTS="500",
    )
    assert cfg.address[0] == ("127.0.0.2", 8100)
    assert cfg.max_requests == 500 and cfg.max_requests_jitter == 50
    assert [str(network) for network in cfg.forwarded_allow_ips] == ["10.0.0.0/8"]


def test_a_malformed_number_stops_gunicorn(monkeypatch, gunicorn_app, capsys):
    with pytest.raises(SystemExit):
        load(monkeypatch, gunicorn_app, DB_STATEMENT_TIMEOUT_MS="15s")
    assert "DB_STATEMENT_TIMEOUT_MS must be an integer, got '15s'" in capsys.readouterr().err


# --- A real server -----------------------------------------------------------------------


def get(port: int, path: str, method: str = "GET", host: str = "127.0.0.1"):
    """(status, headers, body) of one request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_for(condition, what: str, server, log: Path, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = condition()
        except OSError:
            result = None
        if result:
            return result
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what}: not so within {seconds} s\n{log.read_text()}")
        time.sleep(0.1)


def test_gunicorn_serves_reloads_and_stops_with_this_config(tmp_path):
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        skip_or_fail("gunicorn is not installed (the production extra)")
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "CACHE_", "AWS_", "GUNICORN_"))
        # The test settings set SECURE_SSL_REDIRECT=false in this process: not there.
        and name not in {*VARIABLES, "SECURE_SSL_REDIRECT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        # SECURE_SSL_REDIRECT left on, as in production: the probes must pass it.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        CONTENT_WEBHOOK_URLS="",
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY="2",
        BIND=f"127.0.0.1:{port}",
    )
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    with open(access_log, "wb") as stdout, open(error_log, "wb") as stderr:
        # No arguments: gunicorn finds gunicorn.conf.py in its working directory.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    migrate = None
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, "healthz", server, error_log)
        assert error_log.read_text().count("Booting worker") == 2

        # A load balancer's probe: its own Host, plain HTTP (HTTPS redirect on), a token.
        status, headers, body = get(port, "/healthz?token=secret-token", host="10.1.2.3")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert headers["Cache-Control"] == "no-store"
        assert get(port, "/healthz", "HEAD")[0] == 200
        assert get(port, "/graphql/")[0] == 301  # everything else still goes to HTTPS

        # An empty database: ready only once migrate has run.
        status, headers, body = get(port, "/readyz", host="10.1.2.3")
        assert status == 503 and headers["Retry-After"] == "5"
        assert json.loads(body)["checks"] == {
            "database": "ok",
            "cache": "ok",
            "migrations": "unapplied",
            "worker": "inline",
        }
        # Migrating takes most of this test: the reload happens meanwhile.
        migrate = subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

        # SIGHUP: the configuration is read again and new workers replace the old ones.
        server.send_signal(signal.SIGHUP)
        wait_for(
            lambda: error_log.read_text().count("Booting worker") >= 4,
            "two new workers",
            server,
            error_log,
        )
        assert get(port, "/healthz")[0] == 200

        output, _ = migrate.communicate(timeout=120)
        assert migrate.returncode == 0, output
        status, _, body = get(port, "/readyz", host="10.1.2.3")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"

        graceful = runpy.run_path(str(CONFIG))["graceful_timeout"]
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=graceful) == 0
        assert time.monotonic() - started < graceful
    finally:
        for process in (server, migrate):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    # Access lines carry the request time, never a query string.
    lines = access_log.read_text().splitlines()
    probe_lines = [line for line in lines if '"GET /healthz HTTP/1.1" 200' in line]
    assert probe_lines and all(re.search(r" \d+ms ", line) for line in probe_lines), lines
    assert "secret-token" not in access_log.read_text()


@pytest.mark.parametrize("tuning", ["1", "0"])
def test_gc_is_frozen_after_the_first_request_and_its_threshold_raised(monkeypatch, tuning):
    import gc
    import types

    monkeypatch.setenv("GUNICORN_GC_TUNING", tuning)
    config = runpy.run_path(str(CONFIG))
    before = gc.get_threshold()
    worker = types.SimpleNamespace()
    try:
        config["post_worker_init"](worker)
        frozen_before = gc.get_freeze_count()
        config["post_request"](worker, None, {}, None)
        frozen_after_first = gc.get_freeze_count()
        # Tracked objects a second freeze would take: the count would grow by them. (It
        # may shrink by a few: a frozen object that dies leaves the frozen set.)
        created_since = [[] for _ in range(1000)]
        config["post_request"](worker, None, {}, None)
        if tuning == "1":
            assert gc.get_threshold() == config["GC_THRESHOLD"]
            assert frozen_after_first > frozen_before  # the warm objects, once
            assert gc.get_freeze_count() - frozen_after_first < len(created_since)
        else:
            assert gc.get_threshold() == before
            assert gc.get_freeze_count() == frozen_before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
