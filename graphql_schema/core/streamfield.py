"""StreamField as a typed list: each block has its own type, told apart by ``__typename``."""

import logging

import graphene
from django.db.models import prefetch_related_objects
from wagtail.blocks import StreamValue, StructBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

from graphql_schema.core.images import Image, renditions_of_images
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads
from graphql_schema.core.pages import rich_text_html

logger = logging.getLogger(__name__)

# Block name (a child of pages.blocks.BodyBlock) → its GraphQL type, filled by @answers.
BLOCK_TYPES: dict[str, type] = {}


def answers(block_name: str):
    """Class decorator: this GraphQL type answers the body's ``block_name`` blocks."""

    def register(graphql_type):
        BLOCK_TYPES[block_name] = graphql_type
        return graphql_type

    return register


class StreamBlock(graphene.Interface):
    """One block of a page's body."""

    id = graphene.ID(required=True)
    block_type = graphene.String(required=True)

    @classmethod
    def resolve_type(cls, block, info):
        return BLOCK_TYPES[block.block_type]

    @staticmethod
    def resolve_id(block, info):
        return block.id

    @staticmethod
    def resolve_block_type(block, info):
        return block.block_type


def struct_resolver(name):
    """Resolve a field from the struct block's child of the same (snake_case) name."""
    return lambda block, info: block.value.get(name)


@answers("paragraph")
class ParagraphBlock(graphene.ObjectType):
    html = graphene.String(required=True)

    class Meta:
        interfaces = (StreamBlock,)

    @staticmethod
    def resolve_html(block, info):
        return rich_text_html(block.value)


@answers("heading")
class HeadingBlock(graphene.ObjectType):
    text = graphene.String(required=True, resolver=struct_resolver("text"))
    level = graphene.String(required=True, resolver=struct_resolver("level"))

    class Meta:
        interfaces = (StreamBlock,)


@answers("quote")
class QuoteBlock(graphene.ObjectType):
    text = graphene.String(required=True, resolver=struct_resolver("text"))
    speaker_name = graphene.String(required=True, resolver=struct_resolver("speaker_name"))
    speaker_position = graphene.String(resolver=struct_resolver("speaker_position"))

    class Meta:
        interfaces = (StreamBlock,)


@answers("image")
class ImageBlock(graphene.ObjectType):
    image = graphene.Field(Image, resolver=struct_resolver("image"))
    caption = graphene.String(resolver=struct_resolver("caption"))

    class Meta:
        interfaces = (StreamBlock,)


@answers("video")
class VideoBlock(graphene.ObjectType):
    url = graphene.String(required=True, resolver=struct_resolver("url"))
    title = graphene.String(resolver=struct_resolver("title"))
    caption = graphene.String(resolver=struct_resolver("caption"))

    class Meta:
        interfaces = (StreamBlock,)


@answers("key_figure")
class KeyFigureBlock(graphene.ObjectType):
    value = graphene.String(required=True, resolver=struct_resolver("value"))
    label = graphene.String(required=True, resolver=struct_resolver("label"))
    description = graphene.String(resolver=struct_resolver("description"))

    class Meta:
        interfaces = (StreamBlock,)


# More blocks than any page holds; bounds what one body can cost.
MAX_BODY_BLOCKS = 300


def stream_field(attribute: str = "body", description: str = "The body as typed blocks."):
    """A field for the StreamField ``attribute``; on a list, what its blocks choose
    (images) is loaded for all items at once."""
    return loads(
        BoundedList(StreamBlock, max_items=MAX_BODY_BLOCKS, description=description),
        batch=[lambda tree, objects: load_chosen([getattr(obj, attribute) for obj in objects])],
        columns=[attribute],
    )


def _has_chooser(block) -> bool:
    # Images only: a page chooser's targets would need the visibility rules applied.
    if isinstance(block, ImageChooserBlock):
        return True
    return isinstance(block, StructBlock) and any(
        _has_chooser(child) for child in block.child_blocks.values()
    )


def load_chosen(stream_values: list[StreamValue]) -> None:
    """Convert the blocks that hold chooser targets in all ``stream_values`` together:
    one query per block type for all streams, not one per stream, and the images' own
    renditions in one more. Each stream then answers from its converted blocks."""
    pending: dict[str, list[tuple[StreamValue, int]]] = {}
    for stream_value in stream_values:
        if stream_value is None:
            continue
        children = stream_value.stream_block.child_blocks
        for index, raw in enumerate(stream_value.raw_data):
            block = children.get(raw.get("type"))
            if block is not None and _has_chooser(block):
                if stream_value._bound_blocks[index] is None:  # not converted yet
                    pending.setdefault(raw["type"], []).append((stream_value, index))
    chosen = []
    for type_name, places in pending.items():
        block = places[0][0].stream_block.child_blocks[type_name]
        raws = [stream_value.raw_data[index] for stream_value, index in places]
        values = block.bulk_to_python([raw["value"] for raw in raws])
        for (stream_value, index), raw, value in zip(places, raws, values, strict=True):
            stream_value._bound_blocks[index] = StreamValue.StreamChild(
                block, value, id=raw.get("id")
            )
            chosen.extend(value.values() if hasattr(value, "values") else [value])
    images = [obj for obj in chosen if isinstance(obj, get_image_model())]
    if images:
        prefetch_related_objects(images, renditions_of_images())


def resolve_stream(stream_value) -> list:
    """The blocks of a StreamField value. Every block of the model has a type (a test
    checks it); one that still has none is left out, and said so in the log."""
    known = []
    for block in stream_value:
        if block.block_type in BLOCK_TYPES:
            known.append(block)
        else:
            logger.warning("Body block %r has no GraphQL type: left out", block.block_type)
    return known
