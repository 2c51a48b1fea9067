"""Images: originals and renditions from a server-side allowlist of sizes only.

Arbitrary filter specs would let anyone make the server resize images at will (a
denial-of-service vector), so clients pick a named size from ``ImageSize``.
"""

import logging
from functools import cache

import graphene
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Prefetch
from django.utils.encoding import filepath_to_uri
from wagtail.images import get_image_model
from wagtail.images.models import Filter, SourceImageIOError

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


# Where an image's prefetched renditions are kept (``image_field`` fills it).
RENDITIONS_ATTR = "prefetched_renditions"
MEDIA_BASE_ATTR = "_graphql_media_base"


def absolute(info, url: str) -> str:
    """Clients on other hosts need absolute media URLs (unless MEDIA_URL already is one)."""
    return info.context.build_absolute_uri(url)


def media_url(info, file) -> str:
    """The absolute URL of a stored file.

    On the local file system the URL is MEDIA_URL plus the file's name, so the base is
    made absolute once per request instead of once per image; other storages (S3) say
    themselves what a file's URL is.
    """
    if not isinstance(default_storage, FileSystemStorage) or file.storage is not default_storage:
        return absolute(info, file.url)
    request = info.context
    base = getattr(request, MEDIA_BASE_ATTR, None)
    if base is None:
        base = request.build_absolute_uri(settings.MEDIA_URL)
        setattr(request, MEDIA_BASE_ATTR, base)
    return base + filepath_to_uri(file.name).lstrip("/")


@cache
def parsed_filter(spec: str) -> Filter:
    """The parsed filter of an allowlisted spec, parsed once per process."""
    return Filter(spec=spec)


def rendition_of(image, spec: str):
    """The image's rendition for ``spec``: from its prefetched renditions when there,
    else Wagtail's own lookup (which renders a missing one)."""
    prefetched = getattr(image, RENDITIONS_ATTR, None)
    if prefetched is None:
        prefetched = getattr(image, "_prefetched_objects_cache", {}).get("renditions")
    if prefetched is not None and not image.is_svg():  # SVGs get their filters cleaned
        image_filter = parsed_filter(spec)
        focal_point_key = image_filter.get_cache_key(image)
        for rendition in prefetched:
            if rendition.filter_spec == spec and rendition.focal_point_key == focal_point_key:
                return rendition
    return image.get_rendition(spec)


class Rendition(graphene.ObjectType):
    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)

    @staticmethod
    def resolve_url(rendition, info):
        return media_url(info, rendition.file)


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
        return media_url(info, image.file)

    @staticmethod
    def resolve_rendition(image, info, size):
        try:
            return rendition_of(image, IMAGE_SIZES[_size_name(size)][0])
        except (SourceImageIOError, OSError):
            # One lost file must not blank the whole page that shows it.
            logger.warning("Image %s: original file missing, no rendition", image.pk)
            return None

    @staticmethod
    def resolve_srcset(image, info, size):
        try:
            renditions = [rendition_of(image, spec) for spec in IMAGE_SIZES[_size_name(size)]]
        except (SourceImageIOError, OSError):
            logger.warning("Image %s: original file missing, no srcset", image.pk)
            return None
        return ", ".join(f"{media_url(info, r.file)} {r.width}w" for r in renditions)


def _size_name(size) -> str:
    return size.name if hasattr(size, "name") else str(size)


def renditions_of_images(lookup: str = "renditions") -> Prefetch:
    """The allowlisted renditions at ``lookup`` (an image's ``renditions``, or a path to
    them), in one query, kept in a plain list that ``rendition_of`` searches."""
    rendition_model = get_image_model().get_rendition_model()
    renditions = rendition_model.objects.filter(filter_spec__in=ALL_RENDITION_SPECS).only(
        "id", "image_id", "filter_spec", "focal_point_key", "file", "width", "height"
    )
    return Prefetch(lookup, renditions, to_attr=RENDITIONS_ATTR)


def renditions_prefetch(image_lookup: str, tree) -> list[Prefetch]:
    """The renditions of the image at ``image_lookup``, if the selection (``tree``,
    inside the image) shows any."""
    if "rendition" not in tree and "srcset" not in tree:
        return []
    return [renditions_of_images(f"{image_lookup}__renditions")]


def image_field(model_field: str, **kwargs):
    """An ``Image`` field of the model's ``model_field``: the image joined into its
    object's query, its renditions (when selected) in one more."""
    return loads(
        graphene.Field(Image, **kwargs),
        select=[model_field],
        prefetch=[lambda tree: renditions_prefetch(model_field, tree)],
    )
