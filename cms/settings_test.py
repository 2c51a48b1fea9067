"""Fast test settings (as bakerydemo's): MD5 hashing, local-memory cache, in-process tasks."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 32)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests never depend on the developer's environment for these.
for _name in ("CACHE_URL", "GRAPHQL_INTROSPECTION", "AWS_STORAGE_BUCKET_NAME", "TASKS_BACKEND"):
    os.environ.pop(_name, None)
if "VAR_DIR" not in os.environ:
    # Uploaded test images go to a folder of this run's own, removed when it ends.
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="mosprom-test-")
    atexit.register(shutil.rmtree, os.environ["VAR_DIR"], ignore_errors=True)

from cms.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
GRAPHIQL_ENABLED = True
GRAPHQL_INTROSPECTION = True
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405
