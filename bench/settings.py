"""Bench-only settings: the project's own settings plus Wagtail's REST API v2.

The benchmark runner (``bench/news_list.py``) sets ``VAR_DIR`` to a temporary folder
before Django starts, so the SQLite file and the uploaded images never land in the
repository's ``var/``. Everything else comes from ``cms.settings`` unchanged, so the
GraphQL endpoint runs exactly as deployed (middleware, caches, limits).
"""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("VAR_DIR"):
    # Refuse rather than fall back to var/: a benchmark must not touch real content.
    raise ImproperlyConfigured("bench.settings needs VAR_DIR set to a throwaway folder")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-" + "x" * 32)
# The test client speaks plain HTTP; with DEBUG off every request would be a 301 to https.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from cms.settings import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.api.v2", "rest_framework"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# No collectstatic in a throwaway run: the manifest storage would fail on a missing manifest.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder on every start

# API v2 caps pages at 20 by default; GraphQL allows 100, so both get the same page sizes.
WAGTAILAPI_LIMIT_MAX = GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]  # noqa: F405
WAGTAILAPI_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The runner builds the throwaway database with create_test_db(); on SQLite give it a
    # file in VAR_DIR (as a real deployment has) rather than Django's in-memory default.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "bench.sqlite3")}  # noqa: F405

# One connection for the whole run: reconnecting on every request (the default of 0) adds
# the same fixed cost to both APIs and blurs the ratio between them.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
