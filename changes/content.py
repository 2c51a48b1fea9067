"""One notice, ``content_changed``, whenever something clients read through GraphQL changes.

Wagtail and Django announce changes in many ways (page_published, a snippet's post_save,
an image's post_delete…); the receivers here turn each into one ``content_changed``,
sent *after the transaction commits*, so nobody caches pre-commit data as the new state.
Booking data (sessions, registrations) never sends it: it is never response-cached.

Consumers in this process connect to the signal::

    from django.dispatch import receiver
    from changes.content import content_changed

    @receiver(content_changed)
    def purge_cdn(sender, kind, action, instance, pk, url_path, **kwargs):
        ...

- ``sender``: the changed model (the specific page class for pages);
- ``kind``: "page", "snippet", "settings" or "image";
- ``action``: "published", "unpublished", "deleted", "moved" or "saved" (for a page:
  made private or public);
- ``instance``: the object (a deleted one has lost its primary key by now, hence ``pk``);
- ``pk``: its primary key; ``url_path``: a page's path on its site ("/novosti/…/"), else None.

Receivers run in order of connection; an exception in one is logged and the others still
run. Connected here (``connect()``, from ``ChangesConfig.ready``): the content version bump
that GraphQL's response cache keys on, then the webhook (``changes.webhooks``) for consumers
in other processes, such as a front end's static regeneration.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

content_changed = Signal()

VERSION_ROW = 1  # ContentVersion is a single row


def notify(kind: str, instance, action: str, unless_deleted: bool = False) -> None:
    """Send ``content_changed`` for ``instance`` once the current transaction commits.

    What the notice says is taken now: after a delete commits, the object has no pk.
    ``unless_deleted`` drops the notice if the object is gone by then (its deletion sends
    its own).
    """
    from wagtail.models import Page

    model, url_path = type(instance), None
    if isinstance(instance, Page):
        model = instance.specific_class or model
        url_parts = instance.get_url_parts()
        url_path = url_parts[2] if url_parts else None
    transaction.on_commit(
        partial(
            _send,
            unless_deleted=unless_deleted,
            sender=model,
            kind=kind,
            action=action,
            instance=instance,
            pk=instance.pk,
            url_path=url_path,
        )
    )


def _send(sender, unless_deleted: bool, **kwargs) -> None:
    if unless_deleted and not sender._base_manager.filter(pk=kwargs["pk"]).exists():
        return
    # After the commit the change is done: a failing receiver must not turn it into an error.
    for receiver, result in content_changed.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("content_changed receiver %r failed", receiver, exc_info=result)


# --- The content version --------------------------------------------------------------

# With a shared cache, the generation token GraphQL's response cache keys on.
GENERATION_KEY = "content-version"


def current_version() -> int:
    """The content version (0 before any change): one small query.

    Webhooks tell it as ``contentVersion``; the response cache keys on ``content_generation``.
    """
    from changes.models import ContentVersion

    return (
        ContentVersion.objects.filter(pk=VERSION_ROW).values_list("counter", flat=True).first() or 0
    )


def _shared_cache():
    """The cache holding the generation token if every process sees the same one (Redis),
    else None.

    A local-memory cache is per process: a token renewed there would stay unseen by the
    other workers, so with it the database row is the version.
    """
    cache = caches[generation_cache_alias()]
    return None if isinstance(cache, LocMemCache | DummyCache) else cache


def generation_cache_alias() -> str:
    """The alias of the cache that keeps the generation token (``CONTENT_GENERATION_CACHE``)."""
    return getattr(settings, "CONTENT_GENERATION_CACHE", "default")


def _new_generation() -> str:
    import secrets

    return secrets.token_hex(8)


def content_generation() -> str:
    """A value that changes with every content change, for cache keys.

    With a shared cache it is a random token kept there (no SQL per GET), renewed after
    every change; when the token is missing (evicted, a Redis restart) a fresh one is
    added: a value never seen before cannot match an older answer, where a re-read
    counter could. With a local-memory cache it is the database's counter. A cache
    outage raises the client's error (the response cache then answers without it).
    """
    cache = _shared_cache()
    if cache is None:
        return str(current_version())
    return cache.get_or_set(GENERATION_KEY, _new_generation, timeout=None)


def content_generation_with(cache_alias: str, keys: list[str]) -> tuple[str, dict]:
    """``content_generation()`` and the entries ``keys`` of the cache ``cache_alias``
    (those that are there), read in one round trip when that cache keeps the token.

    A missing token is replaced by a fresh one, and then no entry can be of it: none is
    returned.
    """
    shared = _shared_cache()
    if shared is None or cache_alias != generation_cache_alias():
        generation = content_generation()
        return generation, caches[cache_alias].get_many(keys)
    found = shared.get_many([GENERATION_KEY, *keys])
    token = found.pop(GENERATION_KEY, None)
    if token is None:
        return content_generation(), {}
    return token, found


def _renew_generation() -> None:
    cache = _shared_cache()
    if cache is None:
        return
    try:
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    except Exception:
        # The change is committed; only the cache is behind. Its old answers expire
        # within GRAPHQL_RESPONSE_CACHE_SECONDS (and all of them go if Redis restarted).
        logger.exception("Content version token not renewed: cached answers may be stale")


def bump_version() -> None:
    """Count one more content change, atomically across processes (an F() update), and
    renew the shared cache's token once that is committed."""
    from changes.models import ContentVersion

    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=VERSION_ROW)
    for _ in range(2):  # the row is created by the first change; two may race to create it
        if rows.update(counter=F("counter") + 1, changed_at=now):
            break
        try:
            with transaction.atomic():
                ContentVersion.objects.create(pk=VERSION_ROW, counter=1, changed_at=now)
            break
        except IntegrityError:
            continue  # another process created it first: now the update finds it
    # Called after the change's commit (content_changed), so this runs at once; inside a
    # transaction, a token renewed before the commit would let others cache the old state.
    transaction.on_commit(_renew_generation)


def _bump_version(sender, **kwargs) -> None:
    bump_version()


# --- Changes that come from time alone --------------------------------------------------


def seconds_until_time_changes_content(now=None) -> float:
    """Seconds until the clock alone changes what the API shows, with no signal sent.

    A live page or a published award vanishes at its ``expire_at`` (the visibility
    rules compare with now, whether or not ``publish_scheduled`` has run), and at
    midnight in Moscow the current season and "upcoming" dates may turn. A cached answer
    must not outlive the nearest of these.
    """
    from wagtail.models import Page

    from catalogue.models import Award

    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    deadlines = [midnight + timedelta(days=1)]
    for queryset in (
        Page.objects.filter(live=True, expire_at__gt=now),
        Award.objects.filter(live=True, expire_at__gt=now),
    ):
        soonest = queryset.order_by("expire_at").values_list("expire_at", flat=True).first()
        if soonest is not None:
            deadlines.append(soonest)
    return max(0.0, (min(deadlines) - now).total_seconds())


# --- From Wagtail's and Django's signals to content_changed ----------------------------


def _on_page(action: str):
    # Wagtail unpublishes every page it deletes (page_unpublished, then post_delete):
    # one notice, "deleted", is enough.
    unless_deleted = action == "unpublished"

    def receiver(sender, instance, **kwargs):
        notify("page", instance, action, unless_deleted=unless_deleted)

    return receiver


def _on_view_restriction(sender, instance, **kwargs):
    """A page made private (or public again) leaves (or joins) what clients may read."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # else the page itself is being deleted, which says so
        notify("page", page, "saved", unless_deleted=True)


def _on_object(kind: str, action: str):
    """For Wagtail's generic ``published``/``unpublished`` and post_save/post_delete."""

    def receiver(sender, instance, **kwargs):
        from wagtail.models import Page

        if isinstance(instance, Page):
            return  # pages also send page_published/page_unpublished: counted there
        notify(kind, instance, action)

    return receiver


def _on_snippet(action: str, skip_draft_models: bool):
    """post_save/post_delete of any model: those of registered snippets are changes.

    Read from Wagtail's snippet registry when the signal comes (snippets register after
    this app is ready), so a newly registered snippet is covered with no list to edit. A
    snippet with drafts (DraftStateMixin) counts when published, not when saved.
    """

    def receiver(sender, instance, **kwargs):
        from wagtail.models import DraftStateMixin
        from wagtail.snippets.models import get_snippet_models

        if sender not in get_snippet_models():
            return
        if skip_draft_models and issubclass(sender, DraftStateMixin):
            return
        notify("snippet", instance, action)

    return receiver


def _connect(signal, receiver, name: str, sender=None) -> None:
    # Strong references, as nothing else holds these closures; the uid (with the sender)
    # keeps a second connect() from doubling them.
    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=f"changes.content.{name}")


def connect() -> None:
    """Wire Wagtail's and Django's signals to ``content_changed``, and its receivers."""
    from wagtail import signals as wagtail_signals
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site

    _connect(wagtail_signals.page_published, _on_page("published"), "page.published")
    _connect(wagtail_signals.page_unpublished, _on_page("unpublished"), "page.unpublished")
    _connect(wagtail_signals.post_page_move, _on_page("moved"), "page.moved")
    # A slug saved outside publishing (code, a data fix) moves the page as well.
    _connect(wagtail_signals.page_slug_changed, _on_page("moved"), "page.slug_changed")
    # Deleting a page deletes one row per class of its multi-table chain, and Django sends
    # post_delete for each; every chain ends in Page, so listening there counts it once.
    _connect(post_delete, _on_page("deleted"), "page.deleted", sender=Page)
    for signal in (post_save, post_delete):
        _connect(signal, _on_view_restriction, "page.restriction", sender=PageViewRestriction)

    # Every registered snippet: one with drafts (Award) changes what clients see when
    # published or unpublished, a plain one as soon as it is saved.
    _connect(wagtail_signals.published, _on_object("snippet", "published"), "published")
    _connect(wagtail_signals.unpublished, _on_object("snippet", "unpublished"), "unpublished")
    _connect(post_save, _on_snippet("saved", skip_draft_models=True), "snippet.saved")
    _connect(post_delete, _on_snippet("deleted", skip_draft_models=False), "snippet.deleted")
    # Site-wide values (every registered setting), and the sites themselves.
    for model in (*settings_registry, Site):
        _connect(post_save, _on_object("settings", "saved"), "saved", sender=model)
        _connect(post_delete, _on_object("settings", "deleted"), "deleted", sender=model)
    # An image's title, alt text and focal point are part of what the API returns.
    image_model = get_image_model()
    _connect(post_save, _on_object("image", "saved"), "saved", sender=image_model)
    _connect(post_delete, _on_object("image", "deleted"), "deleted", sender=image_model)

    # The version first, so that receivers connected later tell the version that
    # includes the change.
    _connect(content_changed, _bump_version, "bump_version")


def connect_receiver(receiver, name: str) -> None:
    """Connect a ``content_changed`` receiver for the life of the process (once)."""
    _connect(content_changed, receiver, name)
