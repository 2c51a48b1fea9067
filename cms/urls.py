import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import health
from cms.dev_preview import dev_preview
from graphql_schema.views import graphql_view

urlpatterns = [
    # Also answered by cms.health.HealthCheckMiddleware, before the Host check.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("graphql/", graphql_view, name="graphql"),
    # 404 unless DEV_PREVIEW_ENABLED (development without a front end).
    path("dev-preview/", dev_preview, name="dev_preview"),
]

if settings.SERVE_MEDIA and not settings.MEDIA_URL.startswith(("http://", "https://")):
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
