"""Browser tests: Playwright drives Debian's Chromium against a live server of this test run.

Each test gets its own headless Chromium with a fresh profile (Playwright launches it
with a new temporary user-data-dir and removes it afterwards) and, per person at the
keyboard, a fresh browser context: the editor and the enterprise never share cookies.
The browser reaches nothing but the live server: other hosts do not even resolve, and
any request to another origin is aborted.

``step("name")`` records what every open window shows, as
``var/browser-artifacts/<test>/NN-<who>-<name>.png``; a failing test also gets a
screenshot of the moment it failed, and its folder is named in the failure report.
The folder of a passing test is removed, unless ``KEEP_SCREENSHOTS=1`` is set.

The server runs in a thread of this process (pytest-django's ``LiveServer``, see
``browser_server``), so the tests see the same database and ``django.core.mail.outbox``.
Tests that use it are transactional. Playwright's sync API keeps an event loop running
in the test thread, which makes Django refuse ORM calls there unless
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set: it is set only while a browser is open.
"""

import json
import os
import re
import shutil
import threading
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import skip_or_fail

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "browser-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-proxy-server",
    # No network beyond the live server: every other host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# Playwright's auto-waiting limit (ms): generous for a busy 2-core CI machine.
TIMEOUT_MS = 20_000


def chromium_executable() -> str | None:
    """Debian's ``chromium``, or the browser binary ``CHROMIUM`` names."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.access(path, os.X_OK) else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On failure, screenshot every open window and name the screenshots' folder."""
    report = yield
    steps = getattr(item, "browser_steps", None)
    if steps is not None and report.failed:
        item.browser_failed = True
        if report.when == "call":
            steps.capture("FAILED")
        report.sections.append(("browser screenshots", str(steps.folder)))
        if steps.blocked:
            report.sections.append(("requests the browser was refused", "\n".join(steps.blocked)))
    return report


class Steps:
    """Numbered screenshots of every open window, one set per step of a test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.windows: dict[str, object] = {}  # who is at the keyboard: their page
        self.blocked: list[str] = []  # requests to anywhere but the live server

    def __call__(self, name: str) -> None:
        self.capture(name)

    def capture(self, name: str) -> None:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        for who, page in self.windows.items():
            if page.is_closed() or page.url == "about:blank":
                continue
            path = self.folder / f"{self.count:02d}-{who}-{slug(name)}.png"
            try:
                page.screenshot(path=path, full_page=True, animations="disabled")
            except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
                path.with_suffix(".txt").write_text(f"no screenshot: {error}\n")


def slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")[:80] or "step"


@pytest.fixture
def step(request) -> Steps:
    folder = ARTIFACTS / slug(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    steps = Steps(folder)
    request.node.browser_steps = steps
    yield steps
    keep = os.environ.get("KEEP_SCREENSHOTS", "").strip().lower() in {"1", "true", "yes"}
    if not keep and not getattr(request.node, "browser_failed", False):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def chromium(monkeypatch):
    """A headless Chromium of this test's own (fresh profile), closed after it."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium, or set CHROMIUM)")

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class OneRequestAtATime:
    """A WSGI app that serves one request at a time, until its response is closed."""

    def __init__(self, app, lock: threading.Lock):
        self.app = app
        self.lock = lock

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return ClosingResponse(response, self.lock.release)


class ClosingResponse:
    """A WSGI response that calls ``on_close`` once the server has sent it and closed it."""

    def __init__(self, response, on_close):
        self.response = response
        self.on_close = on_close

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.on_close()


@pytest.fixture(scope="session")
def browser_server(django_db_setup, django_db_blocker):
    """A live server of this test run, started once the test database exists.

    pytest-django's ``LiveServer``, but not its session-wide ``live_server`` fixture:
    that one may start before the test database is set up, and then on SQLite every
    request thread opens a connection of its own to the in-memory database, where
    connections lock each other out at once ("database table is locked"). Started
    afterwards, the server is handed the test thread's connection, as Django's own
    LiveServerTestCase does. One connection cannot take parallel requests (a page with
    its XHRs, Wagtail's editing-session pings): the server then answers one request at
    a time, which costs nothing at a browser's pace. On PostgreSQL each thread has its
    own connection as usual.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    server.lock = threading.Lock()
    if server.thread.connections_override:
        httpd = server.thread.httpd
        httpd.set_app(OneRequestAtATime(httpd.get_app(), server.lock))
    yield server
    server.stop()


@pytest.fixture
def live_app(browser_server, transactional_db):
    """The live server; on a shared connection, the test's own queries wait their turn."""
    shared = list(browser_server.thread.connections_override.values())
    test_thread = threading.current_thread()

    def after_the_request_in_flight(execute, sql, params, many, context):
        if threading.current_thread() is not test_thread:
            return execute(sql, params, many, context)  # a request: it holds the lock
        with browser_server.lock:
            return execute(sql, params, many, context)

    with ExitStack() as wrappers:
        for connection in shared:
            wrappers.enter_context(connection.execute_wrapper(after_the_request_in_flight))
        yield browser_server


@pytest.fixture
def open_window(chromium, live_app, step, settings):
    """``open_window("editor")``: a new browser context (own cookies) on the live server."""
    from playwright.sync_api import expect

    # The admin's cookies are Secure when DEBUG is off; the live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Wagtail's autosave posts the form in the background while the test types. A save
    # of a new page still in flight when «Опубликовать» is pressed creates the page
    # first, and the publish then fails on the slug it took: the steps would depend on
    # timing. The tests save and publish only when a person presses the button.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    expect.set_options(timeout=TIMEOUT_MS)
    server = urlsplit(live_app.url)
    contexts = []

    def only_live_server(route):
        url = urlsplit(route.request.url)
        if (url.hostname, url.port) == (server.hostname, server.port):
            route.continue_()
        else:
            step.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def open_(who: str):
        context = chromium.new_context(
            base_url=live_app.url,
            locale="ru-RU",
            timezone_id="Europe/Moscow",
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", only_live_server)
        contexts.append(context)
        page = context.new_page()
        step.windows[who] = page
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def editor(django_user_model):
    """(user, password) of a member of «Редакторы», the programme's editors."""
    from django.contrib.auth.models import Group

    from pages.accounts import EDITORS

    password = "redaktor-pw"
    user = django_user_model.objects.create_user(
        "redaktor", email="redaktor@mosprom.example", password=password
    )
    user.groups.add(Group.objects.get(name=EDITORS))  # made by the migrations
    return user, password


@pytest.fixture
def graphql_live(live_app):
    """POSTs a GraphQL document to the live server as a client would; returns ``data``."""

    def post(query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            live_app.url + "/graphql/",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload["errors"]
        return payload["data"]

    return post
