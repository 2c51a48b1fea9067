"""Media and renditions on S3-compatible object storage (AWS_STORAGE_BUCKET_NAME).

The storage settings are what cms/settings.py makes of a deployment's environment, pointed
at moto's S3 server on loopback: an editor uploads an image through the admin, the original
lands in the bucket, a published news item shows it, and the rendition URL GraphQL hands to
clients (on the endpoint, or on the CDN's domain in front of it) serves the rendition.
"""

import io
import re
import runpy
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image as PILImage
from storages.backends.s3 import S3Storage
from wagtail.images import get_image_model
from wagtail.images.models import Rendition
from wagtail.models import Collection

from tests import factories
from tests.admin_login import admin_login
from tests.production.s3_server import s3_server_fixture  # noqa: F401

SETTINGS_FILE = Path(settings.BASE_DIR) / "cms" / "settings.py"
S3_ENV = [
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_S3_URL_PROTOCOL",
    "AWS_LOCATION",
    "AWS_S3_CACHE_CONTROL",
    "MEDIA_URL",
    "SERVE_MEDIA",
]
DEFAULT_IMG_SRC = ["'self'", "data:", "blob:"]
# Fetches go to loopback directly, whatever proxy the environment names.
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

NEWS_QUERY = """
query ($slug: String!) {
  news(slug: $slug) {
    heroImage { url rendition(size: CARD) { url width height } }
  }
}
"""


def deployment_settings(monkeypatch, **env: str) -> dict:
    """The names cms/settings.py defines when run afresh with ``env`` (and no other S3 env)."""
    for name in S3_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def png(width: int, height: int) -> SimpleUploadedFile:
    """A real PNG upload, big enough that CARD (fill-640x400) is rendered at full size."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("zavod.png", buffer.getvalue(), content_type="image/png")


def file_storages():
    """The storages Wagtail's originals and renditions are saved to right now."""
    image_field = get_image_model()._meta.get_field("file")
    return image_field.storage, Rendition._meta.get_field("file").storage


@pytest.mark.parametrize("behind_cdn", [False, True], ids=["endpoint", "cdn"])
def test_uploaded_image_and_rendition_are_served_from_the_bucket(
    behind_cdn, s3_server, monkeypatch, site_tree, client, graphql, django_user_model
):
    endpoint = urlsplit(s3_server.url)
    location = "media-cdn" if behind_cdn else "media"
    env = {
        "AWS_STORAGE_BUCKET_NAME": s3_server.bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.url,
        "AWS_S3_REGION_NAME": s3_server.region,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_LOCATION": location,
        # Asked for, and still off: Django serves nothing of what lives in the bucket.
        "SERVE_MEDIA": "true",
    }
    if behind_cdn:
        # The "CDN" is the same server under another name, so that its URLs can be fetched.
        cdn_host = f"localhost:{endpoint.port}"
        env |= {
            "AWS_S3_CUSTOM_DOMAIN": f"{cdn_host}/{s3_server.bucket}",
            "AWS_S3_URL_PROTOCOL": "http",
        }
        media_origin = f"http://{cdn_host}"
    else:
        media_origin = s3_server.url
    deployment = deployment_settings(monkeypatch, **env)
    assert deployment["SERVE_MEDIA"] is False
    assert deployment["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    base_url = f"{media_origin}/{s3_server.bucket}/{location}/"

    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    assert admin_login(client, "editor", "pw")
    storages_setting = {**settings.STORAGES, "default": deployment["STORAGES"]["default"]}
    with override_settings(
        STORAGES=storages_setting,
        CONTENT_SECURITY_POLICY=deployment["CONTENT_SECURITY_POLICY"],
    ):
        # Django's setting_changed handler drops the cached default storage, which both of
        # Wagtail's file fields use.
        assert all(isinstance(s, S3Storage) for s in file_storages())

        response = client.post(
            reverse("wagtailimages:add"),
            {
                "title": "Цех",
                "file": png(800, 500),
                "collection": Collection.get_first_root_node().pk,
            },
        )
        assert response.status_code == 302, response.content.decode()
        image = get_image_model().objects.get(title="Цех", uploaded_by_user=user)
        original_key = f"{location}/{image.file.name}"
        assert original_key in s3_server.keys(location)
        head = s3_server.client().head_object(Bucket=s3_server.bucket, Key=original_key)
        assert head["ContentType"] == "image/png"
        assert head["CacheControl"] == "public, max-age=31536000, immutable"

        news = factories.NewsPageFactory(parent=site_tree.news_index, hero_image=image)
        news.save_revision(user=user).publish()
        hero = graphql(NEWS_QUERY, {"slug": news.slug})["news"]["heroImage"]

        assert hero["url"] == base_url + image.file.name
        rendition = hero["rendition"]
        assert rendition["url"].startswith(base_url)
        assert (rendition["width"], rendition["height"]) == (640, 400)
        rendition_key = rendition["url"][len(f"{media_origin}/{s3_server.bucket}/") :]
        assert rendition_key in s3_server.keys(location)
        with NO_PROXY.open(rendition["url"], timeout=5) as fetched:
            body = fetched.read()
            assert fetched.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with PILImage.open(io.BytesIO(body)) as served:
            served.load()
            assert served.size == (640, 400)

        # Editors see the library's thumbnails, which come from the bucket (or CDN) and
        # which the admin's Content-Security-Policy lets the browser load.
        listing = client.get(reverse("wagtailimages:index"))
        assert listing.status_code == 200
        thumbnails = re.findall(r'<img[^>]+src="([^"]+)"', listing.content.decode())
        assert any(src.startswith(base_url) for src in thumbnails), thumbnails
        img_src = csp_directive(listing["Content-Security-Policy"], "img-src")
        assert media_origin in img_src

    assert all(isinstance(s, FileSystemStorage) for s in file_storages())


def csp_directive(header: str, name: str) -> list[str]:
    """The sources one directive of a Content-Security-Policy header lists."""
    for directive in header.split(";"):
        words = directive.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {header!r}")


@pytest.mark.parametrize(
    ("env", "origins"),
    [
        pytest.param(
            {"AWS_S3_ENDPOINT_URL": "https://storage.yandexcloud.net"},
            ["https://storage.yandexcloud.net", "https://mosprom-media.storage.yandexcloud.net"],
            id="endpoint-either-style",
        ),
        pytest.param(
            {"AWS_S3_ENDPOINT_URL": "http://minio:9000", "AWS_S3_ADDRESSING_STYLE": "path"},
            ["http://minio:9000"],
            id="endpoint-path-style",
        ),
        pytest.param(
            {"AWS_S3_CUSTOM_DOMAIN": "cdn.mosprom.example", "AWS_S3_ENDPOINT_URL": "https://s3"},
            ["https://cdn.mosprom.example"],
            id="cdn",
        ),
        pytest.param(
            {"AWS_S3_REGION_NAME": "eu-central-1"},
            [
                "https://mosprom-media.s3.amazonaws.com",
                "https://mosprom-media.s3.eu-central-1.amazonaws.com",
            ],
            id="aws",
        ),
    ],
)
def test_admin_csp_allows_exactly_the_media_hosts(monkeypatch, env, origins):
    deployment = deployment_settings(monkeypatch, AWS_STORAGE_BUCKET_NAME="mosprom-media", **env)
    img_src = deployment["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert img_src == DEFAULT_IMG_SRC + origins
    options = deployment["STORAGES"]["default"]["OPTIONS"]
    assert options["querystring_auth"] is False and options["file_overwrite"] is False


def test_without_a_bucket_media_stay_on_the_file_system(monkeypatch):
    deployment = deployment_settings(monkeypatch, SERVE_MEDIA="true")
    assert deployment["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert deployment["SERVE_MEDIA"] is True
    assert deployment["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == DEFAULT_IMG_SRC
