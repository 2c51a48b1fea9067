"""Images: originals and renditions from a server-side allowlist of sizes only.

Arbitrary filter specs would let anyone make the server resize images at will (a
denial-of-service vector), so clients pick a named size from ``ImageSize``.
"""

import logging

import graphene
from django.db.models import Prefetch
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError

from graphql_schema.core.loading import loads

logger = logging.getLogger(__name__)

# name → (1x spec, 2x spec); srcset offers both.
IMAGE_SIZES: dict[str, tuple[str, str]] = {
    "THUMBNAIL": ("fill-320x240", "fill-640x480"),
    "CARD": ("fill-640x400", "fill-1280x800"),
    "SQUARE": ("fill-400x400", "fill-800x800"),
    "HERO": ("width-1200", "width-2400"),
    "LOGO": ("max-320x320", "max-640x640"),
}
ALL_RENDITION_SPECS = [spec for pair in IMAGE_SIZES.values() for spec in pair]


class ImageSize(graphene.Enum):
    """Sizes the server renders. THUMBNAIL 320×240, CARD 640×400, SQUARE 400×400 (cropped);
    HERO 1200 wide; LOGO fits 320×320. Each also exists at twice the size for srcset."""

    THUMBNAIL = "THUMBNAIL"
    CARD = "CARD"
    SQUARE = "SQUARE"
    HERO = "HERO"
    LOGO = "LOGO"


def absolute(info, url: str) -> str:
    """Clients on other hosts need absolute media URLs (unless MEDIA_URL already is one)."""
    return info.context.build_absolute_uri(url)


class Rendition(graphene.ObjectType):
    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)

    @staticmethod
    def resolve_url(rendition, info):
        return absolute(info, rendition.url)


class Image(graphene.ObjectType):
    """An image from the CMS library."""

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    alt = graphene.String(required=True, description="Alternative text for screen readers.")
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    url = graphene.String(required=True, description="The original file.")
    rendition = graphene.Field(
        Rendition,
        size=graphene.Argument(ImageSize, required=True),
        description="Null only if the original file is missing from storage.",
    )
    srcset = graphene.String(
        size=graphene.Argument(ImageSize, required=True),
        description="“url 640w, url 1280w” for the size at 1x and 2x.",
    )

    @staticmethod
    def resolve_alt(image, info):
        return image.default_alt_text or ""

    @staticmethod
    def resolve_url(image, info):
        return absolute(info, image.file.url)

    @staticmethod
    def resolve_rendition(image, info, size):
        try:
            return image.get_rendition(IMAGE_SIZES[_size_name(size)][0])
        except (SourceImageIOError, OSError):
            # One lost file must not blank the whole page that shows it.
            logger.warning("Image %s: original file missing, no rendition", image.pk)
            return None

    @staticmethod
    def resolve_srcset(image, info, size):
        try:
            renditions = image.get_renditions(*IMAGE_SIZES[_size_name(size)])
        except (SourceImageIOError, OSError):
            logger.warning("Image %s: original file missing, no srcset", image.pk)
            return None
        return ", ".join(f"{absolute(info, r.url)} {r.width}w" for r in renditions.values())


def _size_name(size) -> str:
    return size.name if hasattr(size, "name") else str(size)


def image_queryset():
    """Images with all their allowlisted renditions in one extra query."""
    return get_image_model().objects.prefetch_renditions(*ALL_RENDITION_SPECS)


def image_prefetch(lookup: str) -> Prefetch:
    """Prefetch an image relation together with its renditions."""
    return Prefetch(lookup, queryset=image_queryset())


def image_field(model_field: str, **kwargs):
    """An ``Image`` field of the model's ``model_field``, loaded with its renditions."""
    return loads(
        graphene.Field(Image, **kwargs), prefetch=[lambda tree: image_prefetch(model_field)]
    )
