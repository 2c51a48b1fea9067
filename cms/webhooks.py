"""Tell other processes (a front end's static regeneration, a CDN purger) that content changed.

Each ``content_changed`` notice is POSTed as JSON to every ``CONTENT_WEBHOOK_URLS`` entry::

    {"event": "content.changed", "kind": "page", "action": "published",
     "model": "pages.NewsPage", "id": 42, "urlPath": "/novosti/…/",
     "contentVersion": 17, "at": "2026-11-26T09:30:00+00:00"}

with ``X-OpenMosprom-Signature: sha256=<hex HMAC-SHA256 of the body>`` keyed by
``CONTENT_WEBHOOK_SECRET`` (left out when no secret is set). The receiver should compare
it in constant time and answer 2xx; anything else is retried a few times, then logged.
Delivery is a django-tasks task per URL, so a slow or dead receiver never fails a publish.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from cms.task_retries import retry_later

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-OpenMosprom-Signature"
# Seconds before each retry on a backend that can run a task later; their number bounds
# the retries. On the in-process backend retries wait CONTENT_WEBHOOK_INLINE_RETRY_SECONDS.
DEFAULT_RETRY_DELAYS = (30, 300, 1800)
DEFAULT_INLINE_RETRY_SECONDS = 1.0


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
    """``content_changed`` receiver: queue one delivery per configured URL."""
    urls = settings.CONTENT_WEBHOOK_URLS
    if not urls:
        return
    from cms.content_changes import current_version

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
        try:
            deliver.enqueue(url, body)
        except Exception:
            # The queue itself is down: say which notice was lost, and carry on.
            logger.exception("Content webhook to %s not queued: %s", url, body)


@task()
def deliver(url: str, body: str, attempt: int = 1) -> None:
    """POST ``body`` to ``url``, signed; retry a failure a few times, then log it.

    The secret is read here, not passed in, so it is never stored with queued tasks.
    """
    delays = list(getattr(settings, "CONTENT_WEBHOOK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
    while True:
        error = _post(url, body.encode())
        if error is None:
            return
        if not _retryable(error) or attempt > len(delays):
            logger.error(
                "Content webhook to %s failed after %s attempt(s): %r", url, attempt, error
            )
            return
        logger.warning("Content webhook to %s failed (attempt %s): %r", url, attempt, error)
        pause = getattr(
            settings, "CONTENT_WEBHOOK_INLINE_RETRY_SECONDS", DEFAULT_INLINE_RETRY_SECONDS
        )
        if retry_later(deliver, (url, body), attempt + 1, delays[attempt - 1], pause):
            return
        attempt += 1


def _retryable(error: Exception) -> bool:
    """A 4xx answer (but 408 and 429) or a malformed URL will not change by trying again."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    return not isinstance(error, ValueError)


def _post(url: str, body: bytes) -> Exception | None:
    """POST once; None on a 2xx answer, else what went wrong."""
    if not url.startswith(("http://", "https://")):
        return ValueError(f"not an http(s) URL: {url!r}")  # urllib would also open file:
    headers = {"Content-Type": "application/json", "User-Agent": "open-mosprom-cms/webhook"}
    if settings.CONTENT_WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = signature(body, settings.CONTENT_WEBHOOK_SECRET)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.CONTENT_WEBHOOK_TIMEOUT) as answer:
            answer.read(1024)  # urlopen raises HTTPError for anything but 2xx/3xx
    except (OSError, ValueError) as error:  # network, timeout, HTTP error status, bad URL
        return error
    return None
