"""Tell other processes (a front end's static regeneration, a CDN purger) that content changed.

Each ``content_changed`` notice is POSTed as JSON to every ``CONTENT_WEBHOOK_URLS`` entry::

    {"event": "content.changed", "kind": "page", "action": "published",
     "model": "pages.NewsPage", "id": 42, "urlPath": "/novosti/…/",
     "contentVersion": 17, "at": "2026-11-26T09:30:00+00:00"}

with ``X-OpenMosprom-Signature: sha256=<hex HMAC-SHA256 of the body>`` keyed by
``CONTENT_WEBHOOK_SECRET`` (left out when no secret is set) and
``X-OpenMosprom-Delivery: <id>``, the same on every retry of one notice, so a receiver can
drop repeats. The receiver should compare the signature in constant time and answer 2xx;
a 5xx, 408, 429 or network error is retried over hours (``jobs.deliveries``), any other
answer fails the delivery for good. Each is an outbox row sent by the task worker, so a
slow or dead receiver never holds up or fails a publish.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from jobs import deliveries

logger = logging.getLogger(__name__)

HANDLER = "content.webhook"
SIGNATURE_HEADER = "X-OpenMosprom-Signature"
DELIVERY_HEADER = "X-OpenMosprom-Delivery"


def payload(*, sender, kind, action, pk, url_path, version: int) -> dict:
    """The JSON document a webhook receives for one change."""
    return {
        "event": "content.changed",
        "kind": kind,
        "action": action,
        "model": sender._meta.label,
        "id": pk,
        "urlPath": url_path,
        "contentVersion": version,
        "at": timezone.now().isoformat(),
    }


def signature(body: bytes, secret: str) -> str:
    """The value of the signature header for ``body``: ``sha256=<hex HMAC>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def enqueue_delivery(sender, kind, action, pk, url_path, **kwargs) -> None:
    """``content_changed`` receiver: one outbox row per configured URL."""
    urls = settings.CONTENT_WEBHOOK_URLS
    if not urls:
        return
    from changes.content import current_version

    body = json.dumps(
        payload(
            sender=sender,
            kind=kind,
            action=action,
            pk=pk,
            url_path=url_path,
            version=current_version(),
        ),
        ensure_ascii=False,
    )
    for url in urls:
        delivery_id = uuid.uuid4().hex
        try:
            deliveries.schedule(
                HANDLER,
                key=f"webhook:{delivery_id}",
                payload={"url": url, "body": body, "id": delivery_id},
                description=(
                    f"Вебхук: {sender._meta.label} №{pk} {action} → {urlsplit(url).netloc or url}"
                )[:300],
            )
        except Exception:
            # Broad on purpose: the database is down after the publish committed. Say
            # which notice was lost, and let the other receivers run.
            logger.exception("Content webhook to %s not queued: %s", url, body)


class RetryableAnswer(OSError):
    """The receiver answered 5xx, 408 or 429: it may take it later."""


@deliveries.handler(HANDLER, retryable=(OSError,))
def deliver(payload: dict) -> bool:
    """POST one notice, signed. The secret is read here, so queued rows never hold it."""
    url, body = payload["url"], payload["body"].encode()
    if not url.startswith(("http://", "https://")):  # urllib would also open file:
        raise deliveries.Undeliverable(f"not an http(s) URL: {url!r}")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "open-mosprom-cms/webhook",
        DELIVERY_HEADER: payload["id"],
    }
    if settings.CONTENT_WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = signature(body, settings.CONTENT_WEBHOOK_SECRET)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.CONTENT_WEBHOOK_TIMEOUT) as answer:
            answer.read(1024)  # urlopen raises HTTPError for anything but 2xx/3xx
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code in (408, 429):
            raise RetryableAnswer(f"HTTP {error.code} from {url}") from None
        raise deliveries.Undeliverable(f"HTTP {error.code} from {url}") from None
    except ValueError as error:  # a malformed URL
        raise deliveries.Undeliverable(f"{error} ({url!r})") from None
    return True
