"""Content-change notices: one per change, after commit, and the webhook that carries them."""

import hashlib
import hmac
import json
import logging
import re
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from booking.models import Registration
from changes.content import content_changed, current_version
from jobs import deliveries
from jobs.models import Delivery
from pages.models import NewsPage, ProgrammeSettings
from tests import factories


@pytest.fixture
def changes():
    """Every content_changed notice sent during the test, as a dict of its arguments."""
    seen = []

    def record(sender, **kwargs):
        kwargs.pop("signal")
        seen.append({"sender": sender, **kwargs})

    content_changed.connect(record, weak=False, dispatch_uid="tests.record")
    yield seen
    content_changed.disconnect(dispatch_uid="tests.record")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block as a transaction that commits: its on_commit callbacks run at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(parent=site_tree.news_index, slug="news-a")


def summary(seen) -> list[tuple]:
    return [(c["kind"], c["action"], c["sender"]._meta.label) for c in seen]


def test_nothing_is_announced_before_the_commit(news, changes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        news.save_revision().publish()
        assert changes == []
    assert changes == []  # the transaction has not committed (nor ever will, here)

    before = current_version()
    for callback in callbacks:
        callback()
    assert summary(changes) == [("page", "published", "pages.NewsPage")]
    assert current_version() == before + 1


def test_publishing_a_page(news, changes, committed):
    news.title = "Новая версия"
    with committed():
        news.save_revision().publish()
    (change,) = changes
    assert (change["kind"], change["action"], change["sender"]) == ("page", "published", NewsPage)
    assert change["pk"] == news.pk
    assert change["url_path"] == "/novosti/news-a/"
    assert change["instance"].title == "Новая версия"


def test_unpublishing_a_page(news, changes, committed):
    with committed():
        news.unpublish()
    assert summary(changes) == [("page", "unpublished", "pages.NewsPage")]


def test_deleting_a_page_is_one_notice(news, changes, committed):
    page_id = news.pk
    with committed():
        news.delete()
    # Not one per table of NewsPage's multi-table chain, nor an "unpublished" as well.
    (change,) = changes
    assert (change["kind"], change["action"], change["sender"]) == ("page", "deleted", NewsPage)
    assert change["pk"] == page_id
    assert change["url_path"] == "/novosti/news-a/"


def test_deleting_a_section_announces_each_page(site_tree, news, changes, committed):
    with committed():
        Page.objects.get(pk=site_tree.news_index.pk).delete()
    assert sorted(summary(changes)) == [
        ("page", "deleted", "pages.NewsIndexPage"),
        ("page", "deleted", "pages.NewsPage"),
    ]


def test_moving_a_page(site_tree, news, changes, committed):
    other = factories.NewsPageFactory(parent=site_tree.news_index)
    with committed():
        news.move(other, pos="left")
    assert summary(changes) == [("page", "moved", "pages.NewsPage")]


def test_making_a_page_private_and_public_again(news, changes, committed):
    with committed():
        restriction = PageViewRestriction.objects.create(
            page=news, restriction_type=PageViewRestriction.PASSWORD, password="секрет"
        )
    with committed():
        restriction.delete()
    assert summary(changes) == [("page", "saved", "pages.NewsPage")] * 2


def test_deleting_a_private_page_is_one_notice(news, changes, committed):
    PageViewRestriction.objects.create(
        page=news, restriction_type=PageViewRestriction.PASSWORD, password="секрет"
    )
    with committed():
        news.delete()
    assert summary(changes) == [("page", "deleted", "pages.NewsPage")]


def test_award_snippet_publish_unpublish_delete(db, changes, committed):
    award = factories.AwardFactory(live=False)
    with committed():
        award.save_revision().publish()
    award.refresh_from_db()
    with committed():
        award.unpublish()
    with committed():
        award.delete()
    assert summary(changes) == [
        ("snippet", "published", "catalogue.Award"),
        ("snippet", "unpublished", "catalogue.Award"),
        ("snippet", "deleted", "catalogue.Award"),
    ]


@pytest.mark.parametrize(
    "factory",
    [
        factories.IndustryFactory,
        factories.DistrictFactory,
        factories.EventFormatFactory,
        factories.SeasonFactory,
    ],
)
def test_catalogue_edits(db, changes, committed, factory):
    item = factory()
    with committed():
        item.name = "Новое название"
        item.save()
    with committed():
        item.delete()
    label = item._meta.label
    assert summary(changes) == [("snippet", "saved", label), ("snippet", "deleted", label)]


def test_programme_settings(site_tree, changes, committed):
    with committed():
        ProgrammeSettings.objects.create(site=site_tree.home.get_site(), awards_total=12)
    assert summary(changes) == [("settings", "saved", "pages.ProgrammeSettings")]


def test_image_edit_and_delete(db, changes, committed):
    image = factories.ImageFactory()
    with committed():
        image.title = "Цех сборки"
        image.save()
    with committed():
        image.delete()
    assert summary(changes) == [
        ("image", "saved", "wagtailimages.Image"),
        ("image", "deleted", "wagtailimages.Image"),
    ]


def test_each_change_bumps_the_version(news, committed):
    versions = [current_version()]
    for change in (
        lambda: news.save_revision().publish(),
        lambda: news.unpublish(),
        lambda: factories.IndustryFactory(),
        lambda: factories.ImageFactory(),
        lambda: news.delete(),
    ):
        with committed():
            change()
        versions.append(current_version())
    assert versions == list(range(versions[0], versions[0] + 6))


def test_booking_is_not_content(site_tree, changes, committed):
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    event_format = factories.EventFormatFactory()  # a catalogue edit: made beforehand
    with committed():
        session = factories.TourSessionFactory(enterprise=enterprise, event_format=event_format)
        registration = factories.RegistrationFactory(session=session)
        registration.status = Registration.Status.CANCELLED
        registration.save()
        registration.delete()
        session.delete()
    assert changes == []


def test_a_failing_receiver_does_not_stop_the_others(news, changes, committed, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("сломался")

    content_changed.connect(broken, dispatch_uid="tests.broken")
    try:
        with caplog.at_level(logging.ERROR, logger="changes.content"), committed():
            news.save_revision().publish()
    finally:
        content_changed.disconnect(dispatch_uid="tests.broken")
    assert summary(changes) == [("page", "published", "pages.NewsPage")]
    assert "сломался" in caplog.text


# --- The webhook ------------------------------------------------------------------------


class WebhookServer(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 that records the POSTs it gets."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), WebhookHandler)
        self.received: list[tuple] = []  # (headers, body)
        self.status = 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/content"


class WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers, body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a proxy in the environment is not ours
    server = WebhookServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def webhook_settings(settings, webhook_server):
    settings.CONTENT_WEBHOOK_URLS = [webhook_server.url]
    settings.CONTENT_WEBHOOK_SECRET = "секрет-вебхука"
    settings.DELIVERY_RETRY_DELAYS = [60, 300]  # two retries
    return settings


def test_webhook_is_delivered_signed(news, webhook_settings, webhook_server, committed):
    with committed():
        news.save_revision().publish()

    ((headers, body),) = webhook_server.received
    expected = hmac.new("секрет-вебхука".encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-OpenMosprom-Signature"], f"sha256={expected}")
    assert headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-OpenMosprom-Delivery"])
    notice = json.loads(body)
    assert notice.pop("at")
    assert notice == {
        "event": "content.changed",
        "kind": "page",
        "action": "published",
        "model": "pages.NewsPage",
        "id": news.pk,
        "urlPath": "/novosti/news-a/",
        "contentVersion": current_version(),
    }


def test_webhook_for_a_snippet_has_no_url_path(db, webhook_settings, webhook_server, committed):
    with committed():
        industry = factories.IndustryFactory()
    ((_, body),) = webhook_server.received
    notice = json.loads(body)
    assert (notice["model"], notice["id"], notice["urlPath"]) == (
        "catalogue.Industry",
        industry.pk,
        None,
    )


def test_a_failing_webhook_is_retried_a_few_times_and_never_breaks_publishing(
    news, webhook_settings, webhook_server, committed, caplog
):
    webhook_server.status = 500
    news.title = "Опубликовано, несмотря ни на что"
    with caplog.at_level(logging.WARNING, logger="jobs"), committed():
        news.save_revision().publish()
    assert NewsPage.objects.live().get(pk=news.pk).title == "Опубликовано, несмотря ни на что"
    assert len(webhook_server.received) == 1
    for wait in (61, 61 + 301):  # the retries come minutes later, from the worker
        deliveries.send_due(now=timezone.now() + timedelta(seconds=wait))

    assert len(webhook_server.received) == 3  # the first attempt and two retries
    ids = {headers["X-OpenMosprom-Delivery"] for headers, _ in webhook_server.received}
    assert len(ids) == 1  # the receiver can tell a retry from a new notice
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert "failed for good after 3 attempts" in caplog.text


def test_a_refused_webhook_is_not_retried_forever(
    news, webhook_settings, webhook_server, committed
):
    webhook_server.status = 403  # it will not change its mind
    with committed():
        news.save_revision().publish()
    deliveries.send_due(now=timezone.now() + timedelta(days=2))
    assert len(webhook_server.received) == 1
    assert Delivery.objects.get().last_error.startswith("HTTP 403")


def test_an_unreachable_webhook_never_breaks_publishing(news, webhook_settings, committed, caplog):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    webhook_settings.CONTENT_WEBHOOK_URLS = [f"http://127.0.0.1:{port}/", "not a url"]
    with caplog.at_level(logging.WARNING, logger="jobs"), committed():
        news.save_revision().publish()
    assert NewsPage.objects.get(pk=news.pk).live
    statuses = dict(Delivery.objects.values_list("payload__url", "status"))
    assert statuses == {f"http://127.0.0.1:{port}/": "pending", "not a url": "failed"}
    assert "ConnectionRefusedError" in caplog.text
    assert "cannot be delivered: not an http(s) URL" in caplog.text


def test_no_webhook_without_urls(news, webhook_server, settings, committed):
    settings.CONTENT_WEBHOOK_URLS = []
    with committed():
        news.save_revision().publish()
    assert webhook_server.received == []


def test_time_alone_changes_content_at_the_next_expiry_or_midnight(db):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from changes.content import seconds_until_time_changes_content

    moscow = ZoneInfo("Europe/Moscow")
    now = datetime(2026, 11, 26, 23, 0, tzinfo=moscow)
    assert seconds_until_time_changes_content(now) == 3600  # midnight in Moscow

    factories.AwardFactory(expire_at=now + timedelta(minutes=10))
    factories.AwardFactory(live=False, expire_at=now + timedelta(minutes=1))  # a draft
    assert seconds_until_time_changes_content(now) == 600
