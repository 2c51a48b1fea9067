"""The outbox: messages that must go out once, sent by the task worker with retries.

A domain declares how one kind of message is sent::

    @deliveries.handler("booking.notice", outage=(ConnectionError, TimeoutError))
    def send_booking_notice(payload: dict) -> bool:
        ...  # send; True if sent, False if it no longer applies (skipped)

and, in the transaction that makes one due, asks for it::

    deliveries.schedule("booking.notice", key=f"booking:{pk}:confirmed:…", payload={…},
                        description="Письмо «Запись подтверждена» по заявке №12")

The row is committed with the change; after commit a task (``run_delivery``)
is queued for it. The task claims the row, sends, and marks it sent. A failure the
handler calls retryable (``retryable``, by default ``OSError``) is tried again later,
the waits growing from a minute to hours (``DELIVERY_RETRY_DELAYS``); after the last one
the row is FAILED, logged as an error and listed in the admin. ``Undeliverable`` fails it
at once (the receiver refused it for good). Any other exception is a bug: the row is
FAILED at once and the exception propagates, so the task records it.

A failure that means the whole service is down (``outage``: the mail server refuses or
hangs) also pauses that kind of message for ``DELIVERY_CIRCUIT_SECONDS``, so a backlog
does not spend a timeout and an attempt on every row while it lasts.

Nothing is lost when the queue is: ``send_due`` (run by the worker every few seconds,
or by ``manage.py booking_jobs`` from cron) finds rows whose time has come and whose
task never ran, and sends them.
"""

import datetime
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from jobs.models import Delivery

logger = logging.getLogger(__name__)

Status = Delivery.Status

# Waits before retry 1, 2, …: about a day in all, so a mail outage of hours loses nothing.
DEFAULT_RETRY_DELAYS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
DEFAULT_CIRCUIT_SECONDS = 30
# A claim older than this belongs to a worker that died mid-send: the row is due again.
DEFAULT_CLAIM_TIMEOUT_SECONDS = 600
# A row whose own task should have run this long ago is sent by ``send_due`` instead.
DEFAULT_RESCUE_AFTER_SECONDS = 120

# Errors quote recipients (SMTPRecipientsRefused, 550 replies): logs and the admin show
# the row's description, never an address.
EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\]{}'\",;:@]+@[^\s<>()\[\]{}'\",;:@]+")


def describe_error(exc: BaseException) -> str:
    """``repr(exc)`` with any e-mail address in it masked."""
    return EMAIL_ADDRESS.sub("<address>", repr(exc))[:1000]


class Undeliverable(Exception):
    """Raised by a handler for a message that no retry will deliver (a 4xx answer)."""


@dataclass(frozen=True)
class Handler:
    name: str
    send: Callable[[dict], bool]
    retryable: tuple[type[BaseException], ...]
    outage: tuple[type[BaseException], ...]


HANDLERS: dict[str, Handler] = {}


def handler(
    name: str,
    *,
    retryable: tuple[type[BaseException], ...] = (OSError,),
    outage: tuple[type[BaseException], ...] = (),
):
    """Register ``send(payload) -> bool`` as the way to send deliveries called ``name``."""

    def register(send: Callable[[dict], bool]):
        HANDLERS[name] = Handler(name, send, retryable, outage)
        return send

    return register


def schedule(handler_name: str, *, key: str, payload: dict, description: str) -> Delivery:
    """Ask for a message, in the caller's transaction; the same ``key`` again is a no-op.

    The task is queued after commit: a rolled-back change leaves neither row nor task.
    """
    if handler_name not in HANDLERS:
        raise LookupError(f"no delivery handler called {handler_name!r}")
    delivery, created = Delivery.objects.get_or_create(
        key=key,
        defaults={"handler": handler_name, "payload": payload, "description": description},
    )
    if created:
        delivery_id = delivery.pk
        transaction.on_commit(lambda: enqueue(delivery_id))
    return delivery


def enqueue(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    """Queue the task that sends one delivery; a queue that is down loses nothing."""
    task = run_delivery
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the in-process backend cannot wait: send_due sends it when due
        task = task.using(run_after=run_after)
    try:
        task.enqueue(delivery_id)
    except Exception:
        # Broad on purpose: whatever the queue's failure, the row is committed and
        # send_due sends it.
        logger.warning("Delivery %s not queued; it is sent when due", delivery_id, exc_info=True)


def retry_delays() -> list[float]:
    return list(getattr(settings, "DELIVERY_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


# --- the circuit: a service that is down pauses its kind of message ------------------


def _circuit_key(name: str) -> str:
    return f"delivery-circuit:{name}"


def paused_until(name: str, now: datetime.datetime) -> float | None:
    """When the pause of ``name`` deliveries ends (a timestamp), or None if not paused."""
    try:
        until = cache.get(_circuit_key(name))
    except Exception:  # whatever the cache's failure, send rather than stall
        logger.warning(
            "Could not read the pause of %s deliveries (cache down)", name, exc_info=True
        )
        return None
    return until if until and until > now.timestamp() else None


def _pause(name: str) -> None:
    seconds = _setting("DELIVERY_CIRCUIT_SECONDS", DEFAULT_CIRCUIT_SECONDS)
    if seconds <= 0:
        return
    try:
        cache.set(_circuit_key(name), time.time() + seconds, timeout=int(seconds) + 1)
    except Exception:
        logger.warning("Could not pause %s deliveries (cache down)", name, exc_info=True)


# --- one attempt ---------------------------------------------------------------------


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    stale = now - datetime.timedelta(
        seconds=_setting("DELIVERY_CLAIM_TIMEOUT_SECONDS", DEFAULT_CLAIM_TIMEOUT_SECONDS)
    )
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lte=stale
    )
    claimed = Delivery.objects.filter(due, pk=delivery_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return bool(claimed)


def _finish(delivery: Delivery, **changes) -> None:
    """Record the outcome of our claim. A database that is restarting is waited for: a
    sent message left looking unsent would go out again."""
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
    )
    for pause in (0.5, 1, 2, 4, 8, 15, 30, None):
        try:
            mine.update(**changes)
            return
        except DatabaseError:
            if pause is None:
                raise
            logger.warning("Delivery %s: outcome not recorded yet, retrying", delivery.pk)
            time.sleep(pause)


def attempt(delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one delivery if it is due and nobody else is sending it; return its status.

    Safe to call any number of times, from any number of processes.
    """
    now = now or timezone.now()
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    until = paused_until(delivery.handler, now)
    if until is not None and delivery.status == Status.PENDING:
        resume = datetime.datetime.fromtimestamp(until, tz=datetime.UTC)
        Delivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, next_attempt_at__lt=resume
        ).update(next_attempt_at=resume)
        enqueue(delivery_id, run_after=resume)
        return "paused"
    if not _claim(delivery_id, now):
        return delivery.status  # sent, being sent, failed or not yet due
    delivery.refresh_from_db()
    handler_ = HANDLERS.get(delivery.handler)
    if handler_ is None:
        _finish(delivery, status=Status.FAILED, finished_at=now, last_error="unknown handler")
        logger.error("Delivery %s (%s): no handler %r", delivery.pk, delivery, delivery.handler)
        return Status.FAILED
    try:
        sent = handler_.send(delivery.payload)
    except Undeliverable as exc:
        _finish(delivery, status=Status.FAILED, finished_at=timezone.now(), last_error=str(exc))
        logger.error("Delivery %s (%s) cannot be delivered: %s", delivery.pk, delivery, exc)
        return Status.FAILED
    except handler_.retryable as exc:
        return _failed_attempt(delivery, handler_, exc)
    except BaseException as exc:
        _finish(
            delivery,
            status=Status.FAILED,
            finished_at=timezone.now(),
            last_error=describe_error(exc),
        )
        raise
    _finish(
        delivery,
        status=Status.SENT if sent else Status.SKIPPED,
        finished_at=timezone.now(),
        last_error="",
    )
    return Status.SENT if sent else Status.SKIPPED


def _failed_attempt(delivery: Delivery, handler_: Handler, exc: BaseException) -> str:
    error = describe_error(exc)
    if isinstance(exc, handler_.outage):
        _pause(handler_.name)
    delays = retry_delays()
    if delivery.attempts > len(delays):
        _finish(delivery, status=Status.FAILED, finished_at=timezone.now(), last_error=error)
        logger.error(
            "Delivery %s (%s) failed for good after %s attempts: %s",
            delivery.pk,
            delivery,
            delivery.attempts,
            error,
        )
        return Status.FAILED
    next_at = timezone.now() + datetime.timedelta(seconds=delays[delivery.attempts - 1])
    _finish(delivery, status=Status.PENDING, next_attempt_at=next_at, last_error=error)
    logger.warning(
        "Delivery %s (%s) failed (attempt %s), next at %s: %s",
        delivery.pk,
        delivery,
        delivery.attempts,
        next_at.isoformat(timespec="seconds"),
        error,
    )
    enqueue(delivery.pk, run_after=next_at)
    return Status.PENDING


@task()
def run_delivery(delivery_id: int) -> str:
    """The task: send delivery ``delivery_id`` if it is due; running twice sends once."""
    return attempt(delivery_id)


# --- what the worker (or cron) sweeps up ----------------------------------------------


def due_ids(now: datetime.datetime | None = None, grace_seconds: float = 0) -> list[int]:
    """Deliveries whose time came at least ``grace_seconds`` ago, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=grace_seconds)
    stale = now - datetime.timedelta(
        seconds=_setting("DELIVERY_CLAIM_TIMEOUT_SECONDS", DEFAULT_CLAIM_TIMEOUT_SECONDS)
    )
    rows = Delivery.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=cutoff)
        | Q(status=Status.SENDING, claimed_at__lte=stale)
    ).order_by("next_attempt_at")
    return list(rows.values_list("pk", flat=True)[:500])


def send_due(now: datetime.datetime | None = None, grace_seconds: float | None = None) -> int:
    """Send what is due and was not sent by its own task; return how many went out.

    On a backend that queues tasks, a row gets ``DELIVERY_RESCUE_AFTER_SECONDS`` for its
    own task to run first; on the in-process backend this is what sends retries at all.
    """
    if grace_seconds is None:
        grace_seconds = (
            _setting("DELIVERY_RESCUE_AFTER_SECONDS", DEFAULT_RESCUE_AFTER_SECONDS)
            if run_delivery.get_backend().supports_defer
            else 0
        )
    sent = 0
    for delivery_id in due_ids(now, grace_seconds):
        if attempt(delivery_id, now) == Status.SENT:
            sent += 1
    return sent


def retry_failed(delivery_ids) -> int:
    """Give FAILED deliveries (chosen by an editor) a new round of attempts, now."""
    now = timezone.now()
    ids = list(
        Delivery.objects.filter(pk__in=delivery_ids, status=Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, finished_at=None
    )
    for delivery_id in ids:
        transaction.on_commit(lambda pk=delivery_id: enqueue(pk))
    return len(ids)
