"""StreamField as a typed list: each block has its own type, told apart by ``__typename``."""

import logging

import graphene

from graphql_schema.core.images import Image
from graphql_schema.core.lists import BoundedList
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


def stream_field(description: str = "The body as typed blocks.") -> BoundedList:
    """A field for a StreamField attribute of the same name."""
    return BoundedList(StreamBlock, max_items=MAX_BODY_BLOCKS, description=description)


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
