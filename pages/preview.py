"""Headless preview: an editor's draft, readable by the front end through a signed token.

The admin's preview (and «Посмотреть черновик») stores the page as the editor sees it
and redirects to ``PREVIEW_URL?token=…``; the front end asks GraphQL for
``preview(token)`` and renders the draft with the same types as live pages. A token is
signed with the project's secret key, names one stored preview, and expires after
``PREVIEW_TOKEN_MINUTES``: an expired, altered or foreign token shows nothing.

Any page type can be previewed (the stored draft names its content type), so this module
imports no page types: ``pages.models`` imports it, and re-exports ``PagePreview``.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.utils import timezone

SALT = "pages.preview"
MAX_TOKEN_LENGTH = 500


class PagePreview(models.Model):
    """A page as its editor last previewed it: what a preview token shows, for minutes.

    One row per editor and page (or page being created), overwritten by each preview;
    rows older than a token's lifetime are deleted as new previews are made.
    """

    key = models.CharField(max_length=100, unique=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    # The page being edited; none while it is being created. Deleting it ends its previews.
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_json = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "pages"
        verbose_name = "предпросмотр страницы"
        verbose_name_plural = "предпросмотры страниц"


def lifetime() -> timedelta:
    """How long a preview token (and its stored draft) stays valid."""
    return timedelta(minutes=settings.PREVIEW_TOKEN_MINUTES)


def create_preview_token(page, user) -> str:
    """Store ``page`` (saved or not) as ``user`` previews it; return a token for it."""
    parent = page.get_parent()
    if parent is not None:
        # The form may have changed the slug: the draft's URL follows it.
        page.set_url_path(parent)
    content_type = ContentType.objects.get_for_model(page)
    target = f"page:{page.pk}" if page.pk else f"new:{parent.pk}:{content_type.pk}"
    now = timezone.now()
    PagePreview.objects.filter(updated_at__lt=now - lifetime()).delete()
    preview, _ = PagePreview.objects.update_or_create(
        key=f"{target}:user:{user.pk}",
        defaults={
            "content_type": content_type,
            "page_id": page.pk,
            "content_json": page.to_json(),
            "updated_at": now,
        },
    )
    return signing.dumps({"preview": preview.pk}, salt=SALT)


def preview_url(page, user) -> str:
    """Where the admin sends an editor to see ``page`` as the front end will show it."""
    separator = "&" if "?" in settings.PREVIEW_URL else "?"
    token = create_preview_token(page, user)
    return settings.PREVIEW_URL + separator + urlencode({"token": token})


def page_for_token(token: str):
    """The previewed page for a valid, unexpired token, else None. Nothing is saved.

    A page previewed before it was ever saved has id 0.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("preview"), int):
        return None
    preview = PagePreview.objects.filter(pk=data["preview"]).select_related("content_type").first()
    if preview is None:
        return None
    model = preview.content_type.model_class()
    if model is None:
        return None
    # Images or pages deleted since the preview read as empty, as on a live page.
    page = model.from_json(preview.content_json)
    if page.pk is None:
        page.pk = 0
        page.id = 0
    return page
