"""Benchmark-only settings: ``bench.settings`` plus API v3, wagtail-grapple and this app.

``bench.peers`` comes first of all apps: its ``ready()`` declares the fields the peers
read when they are imported or ready (API v3 builds its page schemas when
``wagtail.api.v3.api`` is first imported, which ``wagtail.contrib.redirects`` does in its
own ``ready()``; grapple builds its types in its ``ready()``).
"""

import os

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [
    "bench.peers",
    *INSTALLED_APPS,  # noqa: F405
    "wagtail.api.v3",
    "grapple",
]
ROOT_URLCONF = "bench.peers.urls"

GRAPPLE = {
    # Grapple types every model of these apps; graphql_fields say what each one shows.
    "APPS": ["pages", "catalogue", "booking"],
    "AUTO_CAMELCASE": True,
    "MAX_PAGE_SIZE": 100,
    "PAGE_SIZE": 20,
}
WAGTAILAPI_SEARCH_ENABLED = True

# gunicorn, started by the benchmark, serves the database the benchmark created (the
# runner's own process learns its name from create_test_db()).
if os.environ.get("BENCH_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]  # noqa: F405

# No task worker runs beside the benchmark: background work (the search index updates
# Wagtail enqueues on save among it) runs at once, so the content is indexed when built.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
