"""Settings for the Open#Mosprom CMS: one module, every deployment value from the environment.

Development: ``DEBUG=true`` and nothing else (SQLite in ``var/``, console e-mail,
in-process tasks). Production: see the README's "Production" section.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and uploads live here by default


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything unrecognised is an error, not a guess."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The web and mobile front end: links in e-mails and previews point there.
FRONTEND_URL = os.environ.get("FRONTEND_URL", "http://localhost:3000").rstrip("/")

INSTALLED_APPS = [
    "cms",
    "catalogue",
    "pages",
    "booking",
    "quests",
    "jobs",
    "changes",
    "graphql_schema",
    "demo",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "graphene_django",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer load balancers whatever their Host, over plain HTTP.
    "cms.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored GraphQL answers, before the layers an anonymous cached GET does not need.
    "graphql_schema.middleware.CachedAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Enterprise accounts: refused admin URLs outside their enterprise before Wagtail runs.
    "pages.admin_guard.EnterpriseAccountGuard",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

# Failed admin logins are counted per user name and address (django-axes); after
# AXES_FAILURE_LIMIT the pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "cms/login_locked_out.html"

# Content-Security-Policy for every HTML page (the admin above all): scripts, styles and
# frames from this origin only. Wagtail's admin still needs inline scripts and styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue on a lock taken at BEGIN (IMMEDIATE) instead of failing mid-transaction
    # with "database is locked"; WAL lets readers go on while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

# PostgreSQL: no single statement runs longer than this (0: no limit); GraphQL reads also
# have their own budget (GRAPHQL_TIME_BUDGET_SECONDS), and a booking's wait for its
# session's lock is allowed on top (booking/locking.py).
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 15_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DB_STATEMENT_TIMEOUT_MS:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Editors work in Russian, in Moscow time: Russian whatever the browser asks (hence no
# LocaleMiddleware); an admin user may still pick English in their account settings.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = os.environ.get("STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads (originals and renditions) on S3-compatible object storage when a bucket is named:
# every web and worker process then sees the same files, and clients fetch them from the
# bucket or its CDN, never through Django.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
# Serve uploads from Django itself: for development and small single-server installs.
# Larger ones put media on S3 (above) or let the web server serve MEDIA_ROOT.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG) and not AWS_STORAGE_BUCKET_NAME
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Any S3-compatible service (Yandex Object Storage, MinIO…); unset: AWS itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Unset keys: boto3's own chain (its environment variables, profile, instance role).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for MinIO and most self-hosted services; unset: boto3 decides.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # A CDN in front of the bucket: URLs name it instead of the bucket.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # The custom domain's scheme: "http" only for one without TLS.
            "url_protocol": (os.environ.get("AWS_S3_URL_PROTOCOL") or "https").rstrip(":") + ":",
            # Key prefix, so that one bucket can hold more than this site's media.
            "location": os.environ.get("AWS_LOCATION", ""),
            # Images are public content: plain URLs that CDNs and browsers can cache, rather
            # than signed ones that change on every request and expire. The bucket (or the
            # CDN) must allow anonymous reads.
            "querystring_auth": False,
            # A new upload never replaces another file of the same name, so a file's name
            # changes whenever its content does and caching it for a year is safe.
            "file_overwrite": False,
            "object_parameters": {
                "CacheControl": os.environ.get(
                    "AWS_S3_CACHE_CONTROL", "public, max-age=31536000, immutable"
                )
            },
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Shared cache (Redis in production) for rate limits and responses; local memory otherwise.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    try:
        CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS") or 1)
    except ValueError:
        CACHE_TIMEOUT_SECONDS = 0.0
    if not CACHE_TIMEOUT_SECONDS > 0:
        raise ImproperlyConfigured("CACHE_TIMEOUT_SECONDS must be a positive number of seconds")
    # A dead or hung Redis must fail a request within seconds (503, see graphql_schema/
    # views.py), not hold a worker until gunicorn kills it: short socket timeouts, and no
    # retries, which would multiply the wait.
    _redis_options = {
        "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
        "socket_timeout": CACHE_TIMEOUT_SECONDS,
        "retry_on_timeout": False,
    }
    # One prefix per alias: the aliases share one Redis database but never each other's keys.
    CACHES = {
        alias: {
            "BACKEND": "cms.cache_backends.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": dict(_redis_options),
        }
        for alias, prefix in (
            ("default", "default"),  # rate limits, Wagtail's own
            ("renditions", "renditions"),  # Wagtail's rendition lookups
            # GraphQL answers and the content generation token they are valid for:
            # graphql_schema/caching.py stores none above
            # GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES; Redis's maxmemory bounds the total.
            ("graphql_responses", "graphql"),
        )
    }
elif CACHE_URL in ("", "locmem://"):
    # Separate local-memory stores (LOCATION tells them apart), each big enough that
    # rendition entries never push out anything else.
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": alias,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
        for alias in ("default", "renditions")
    }
    # Answers can be megabytes each: a byte budget per worker, not only an entry count.
    CACHES["graphql_responses"] = {
        "BACKEND": "cms.cache_backends.BoundedLocMemCache",
        "LOCATION": "graphql_responses",
        "OPTIONS": {
            "MAX_ENTRIES": 10_000,
            "MAX_BYTES": env_int("GRAPHQL_RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024),
            "MAX_ENTRY_BYTES": env_int("GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES", 1024 * 1024),
        },
    }
else:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://… or locmem://, got {CACHE_URL!r}")
# Where the content generation token lives (changes/content.py) when the cache is shared:
# beside the answers it validates, so a cache hit reads both in one round trip.
CONTENT_GENERATION_CACHE = "graphql_responses"

# E-mail: printed to the console in development, SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A hung mail server must not hold a request (or a worker) forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Открой#Моспром <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks, which Wagtail already uses). Production: queued in the
# database and run by `manage.py run_worker`, never inside a web request. Development
# (DEBUG) runs tasks in-process, after the request's transaction commits.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# The outbox (jobs/deliveries.py): waits before each retry of an e-mail or a webhook, in
# seconds (about a day in all), and how long a service that is down pauses its messages.
DELIVERY_RETRY_DELAYS = [
    int(delay)
    for delay in env_list(
        "DELIVERY_RETRY_DELAYS", ["60", "300", "900", "1800", "3600", "10800", "21600", "43200"]
    )
]
DELIVERY_CIRCUIT_SECONDS = env_int("DELIVERY_CIRCUIT_SECONDS", 30)
# A send claimed longer ago than this was cut off (a killed worker): it is due again. Far
# above EMAIL_TIMEOUT and CONTENT_WEBHOOK_TIMEOUT, so a slow send is never doubled.
DELIVERY_CLAIM_TIMEOUT_SECONDS = env_int("DELIVERY_CLAIM_TIMEOUT_SECONDS", 600)
# A due row whose own task has not run this long after its time is sent by the sweep.
DELIVERY_RESCUE_AFTER_SECONDS = env_int("DELIVERY_RESCUE_AFTER_SECONDS", 120)
# /readyz fails when no task worker has beaten its heartbeat for this long (0: no check).
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 60)

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = "Открой#Моспром"
# No Gravatar: it would send a hash of every editor's e-mail to a third party (and the
# admin would show broken avatars where that host is unreachable).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

_search_backend = {"BACKEND": "wagtail.search.backends.database"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Russian stemming: «экскурсии» finds «экскурсия».
    _search_backend["SEARCH_CONFIG"] = "russian"
WAGTAILSEARCH_BACKENDS = {"default": _search_backend}

# GraphQL endpoint
GRAPHENE = {
    "SCHEMA": "graphql_schema.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
}
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", True)
# Browsers on these origins may call /graphql/ ("*" for any). The endpoint never uses
# cookies, so allowing an origin grants it nothing a plain HTTP client lacks.
GRAPHQL_CORS_ALLOWED_ORIGINS = env_list("GRAPHQL_CORS_ALLOWED_ORIGINS", [FRONTEND_URL])
GRAPHIQL_ENABLED = env_bool("GRAPHIQL_ENABLED", DEBUG)
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 20)
GRAPHQL_MAX_QUERY_BYTES = env_int("GRAPHQL_MAX_QUERY_BYTES", 10_000)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2_000)
GRAPHQL_MAX_FIELDS = env_int("GRAPHQL_MAX_FIELDS", 500)
# Fields weighted by how often lists repeat them (`first`, else the page cap; a plain list
# by its declared maximum): an upper bound of the fields one query may resolve.
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 250_000)
# What still runs long ends with TIME_LIMIT_EXCEEDED, well before gunicorn's timeout: no
# SQL query starts after this many seconds of a read (0: no budget). Mutations wait for
# the session lock instead (BOOKING_LOCK_TIMEOUT_SECONDS).
GRAPHQL_TIME_BUDGET_SECONDS = env_int("GRAPHQL_TIME_BUDGET_SECONDS", 10)
# Larger answers are replaced by RESPONSE_TOO_LARGE.
GRAPHQL_MAX_RESPONSE_BYTES = env_int("GRAPHQL_MAX_RESPONSE_BYTES", 5 * 1024 * 1024)
# Parsed and validated documents kept per process (graphql_schema/documents.py): at most
# this many, and this many bytes of query text in all.
GRAPHQL_DOCUMENT_CACHE_ENTRIES = env_int("GRAPHQL_DOCUMENT_CACHE_ENTRIES", 1000)
GRAPHQL_DOCUMENT_CACHE_BYTES = env_int("GRAPHQL_DOCUMENT_CACHE_BYTES", 1024 * 1024)
# Automatic persisted queries (graphql_schema/persisted.py): a query a client registered
# by its SHA-256 is kept in the default cache this long (seconds).
GRAPHQL_PERSISTED_QUERY_SECONDS = env_int("GRAPHQL_PERSISTED_QUERY_SECONDS", 30 * 24 * 3600)
# An Apollo persisted-query manifest (JSON). When set, only the queries it lists run: an
# allow-list for a production front end whose queries are known at build time.
GRAPHQL_ALLOWED_QUERIES_FILE = os.environ.get("GRAPHQL_ALLOWED_QUERIES_FILE", "")

# Headless preview: the admin's preview opens PREVIEW_URL?token=… on the front end, and
# `preview(token)` in GraphQL returns the draft until the token expires.
PREVIEW_TOKEN_MINUTES = env_int("PREVIEW_TOKEN_MINUTES", 20)
# /dev-preview/ shows previews without a front end: in development, unless FRONTEND_URL
# names a real one, the admin's preview goes there.
DEV_PREVIEW_ENABLED = env_bool("DEV_PREVIEW_ENABLED", DEBUG)
if DEV_PREVIEW_ENABLED and "FRONTEND_URL" not in os.environ:
    PREVIEW_URL = os.environ.get("PREVIEW_URL", WAGTAILADMIN_BASE_URL + "/dev-preview/")
else:
    PREVIEW_URL = os.environ.get("PREVIEW_URL", FRONTEND_URL + "/preview/")

# --- GraphQL response cache and content-change notices (see changes/content.py) ---
# Anonymous GET queries of content are kept this long in the graphql_responses cache, keyed on the
# content version that every publish bumps (0 turns the server-side cache off).
GRAPHQL_RESPONSE_CACHE_SECONDS = env_int("GRAPHQL_RESPONSE_CACHE_SECONDS", 300)
# Answers larger than this are never stored (in Redis too; the local cache has a total).
GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES = env_int(
    "GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES", 1024 * 1024
)
# Cache-Control max-age of GET answers; 0 makes browsers and CDNs revalidate (ETag) every
# time, so an editor's publish shows at once.
GRAPHQL_HTTP_MAX_AGE = env_int("GRAPHQL_HTTP_MAX_AGE", 0)
# Each content change is POSTed to these URLs, signed with the secret (changes/webhooks.py).
CONTENT_WEBHOOK_URLS = env_list("CONTENT_WEBHOOK_URLS", [])
CONTENT_WEBHOOK_SECRET = os.environ.get("CONTENT_WEBHOOK_SECRET", "")
CONTENT_WEBHOOK_TIMEOUT = env_int("CONTENT_WEBHOOK_TIMEOUT", 5)

# Wagtail's live preview shows the page in an iframe of the admin itself, which needs
# SAMEORIGIN rather than DENY; other sites still cannot frame us.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Security: on whenever DEBUG is off; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Off only to rehearse production over plain HTTP on loopback (make prod-local).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is hard to undo: the operator opts in.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
# Behind a reverse proxy: take the client's address from the last X-Forwarded-For hop.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)
# Admin login throttling reads the client's address as the booking limits do.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if USE_X_FORWARDED_FOR else ["REMOTE_ADDR"]
)
if MEDIA_URL.startswith(("http://", "https://")):
    # Uploads served from a CDN or object storage: the admin shows them.
    _media = urlsplit(MEDIA_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_media.scheme}://{_media.netloc}")
if AWS_STORAGE_BUCKET_NAME:
    # The admin shows images straight from the bucket or its CDN: allow the hosts their
    # URLs can name, the CDN's, or the endpoint's (path style) and the bucket's subdomain of
    # it (virtual-hosted style; boto3 picks one unless AWS_S3_ADDRESSING_STYLE says).
    _s3 = STORAGES["default"]["OPTIONS"]
    _bucket, _path_style = _s3["bucket_name"], _s3["addressing_style"] == "path"
    if _s3["custom_domain"]:
        _s3_origins = [f"{_s3['url_protocol']}//{_s3['custom_domain'].split('/')[0]}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        _s3_origins = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
        if not _path_style:
            _s3_origins.append(f"{_endpoint.scheme}://{_bucket}.{_endpoint.netloc}")
    else:
        _hosts = ["s3.amazonaws.com"]
        if _s3["region_name"]:
            _hosts.append(f"s3.{_s3['region_name']}.amazonaws.com")
        _s3_origins = [f"https://{h}" if _path_style else f"https://{_bucket}.{h}" for h in _hosts]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].extend(_s3_origins)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Booking rules (booking/), described in docs/booking.md.
BOOKING_CLOSE_DAYS = env_int("BOOKING_CLOSE_DAYS", 3)
BOOKING_HOLD_MINUTES = env_int("BOOKING_HOLD_MINUTES", 60)
BOOKING_MAX_ACTIVE_PER_SEASON = env_int("BOOKING_MAX_ACTIVE_PER_SEASON", 3)
BOOKING_ANONYMISE_AFTER_DAYS = env_int("BOOKING_ANONYMISE_AFTER_DAYS", 180)
BOOKING_RATE_LIMIT_PER_HOUR = env_int("BOOKING_RATE_LIMIT_PER_HOUR", 20)
# Registering an e-mail that has a registration already re-sends its letter, at most this
# often.
BOOKING_RESEND_MINUTES = env_int("BOOKING_RESEND_MINUTES", 10)
# How long a booking waits for the session lock (PostgreSQL) before answering BUSY.
BOOKING_LOCK_TIMEOUT_SECONDS = env_int("BOOKING_LOCK_TIMEOUT_SECONDS", 30)
# Versions of the consent texts the front end shows; recorded with every consent.
BOOKING_CONSENT_PROCESSING_VERSION = os.environ.get("BOOKING_CONSENT_PROCESSING_VERSION", "2026-11")
BOOKING_CONSENT_TRANSFER_VERSION = os.environ.get("BOOKING_CONSENT_TRANSFER_VERSION", "2026-11")

# --- The game layer (quests/): quizzes, tasks, points, prizes ---
# A participant's magic link works this many days.
QUESTS_TOKEN_DAYS = env_int("QUESTS_TOKEN_DAYS", 30)
# Letters with a link per e-mail address per hour (more requests answer the same, send none).
QUESTS_LINKS_PER_HOUR = env_int("QUESTS_LINKS_PER_HOUR", 3)
# Game mutations per client address per hour.
QUESTS_RATE_LIMIT_PER_HOUR = env_int("QUESTS_RATE_LIMIT_PER_HOUR", 120)
# Points for an excursion a host checked the participant in to.
QUESTS_ATTENDANCE_POINTS = env_int("QUESTS_ATTENDANCE_POINTS", 50)
# Participants inactive this long lose their e-mail and nickname (points stay, unnamed).
QUESTS_ANONYMISE_AFTER_DAYS = env_int("QUESTS_ANONYMISE_AFTER_DAYS", 365)
QUESTS_CONSENT_VERSION = os.environ.get("QUESTS_CONSENT_VERSION", "2026-12")
