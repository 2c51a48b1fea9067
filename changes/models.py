"""The version of the content that GraphQL caches key on."""

from django.db import models


class ContentVersion(models.Model):
    """One row whose counter goes up after every content change (``changes.content``).

    It lives in the database, not in the cache, so that every process agrees on it even
    when each keeps its own local-memory cache (SQLite demo, several gunicorn workers).
    """

    counter = models.PositiveBigIntegerField("версия", default=0)
    changed_at = models.DateTimeField("изменено", null=True, blank=True)

    class Meta:
        db_table = "cms_contentversion"  # created by the cms app, where it began
        verbose_name = "версия контента"
        verbose_name_plural = "версия контента"

    def __str__(self) -> str:
        return str(self.counter)
