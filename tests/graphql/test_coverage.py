"""Nothing editors can make is left out of the API by a list someone forgot to update."""

from django.apps import apps
from wagtail.fields import StreamField
from wagtail.snippets.models import get_snippet_models

from changes.content import content_changed
from graphql_schema.core.streamfield import BLOCK_TYPES
from graphql_schema.schema import schema
from tests import factories

# StreamFields that are not bodies: a quiz's questions are typed as ``QuizQuestion``,
# which leaves which option is right on the server.
NOT_BODIES = {("Quiz", "questions")}


def stream_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, StreamField) and (model.__name__, field.name) not in NOT_BODIES:
                yield model, field


def test_every_body_block_has_a_graphql_type():
    found = {
        (model.__name__, field.name, name)
        for model, field in stream_fields()
        for name in field.stream_block.child_blocks
    }
    assert found  # the walk found the page bodies at all
    missing = sorted(item for item in found if item[2] not in BLOCK_TYPES)
    assert missing == [], f"blocks without a GraphQL type (add one with @answers): {missing}"
    sdl = str(schema)
    for graphql_type in BLOCK_TYPES.values():
        assert f"type {graphql_type._meta.name} implements StreamBlock" in sdl


def test_every_registered_snippet_announces_its_changes(db, django_capture_on_commit_callbacks):
    changes = []

    def record(sender, **kwargs):
        changes.append(sender)

    content_changed.connect(record, dispatch_uid="tests.coverage")
    try:
        for model in get_snippet_models():
            factory = getattr(factories, f"{model.__name__}Factory")
            with django_capture_on_commit_callbacks(execute=True):
                instance = factory()
                if hasattr(instance, "save_revision"):  # drafts: visible once published
                    instance.save_revision().publish()
            assert model in changes, f"{model.__name__} changed without content_changed"
            changes.clear()
            with django_capture_on_commit_callbacks(execute=True):
                instance.delete()
            assert model in changes, f"deleting a {model.__name__} sent no content_changed"
            changes.clear()
    finally:
        content_changed.disconnect(dispatch_uid="tests.coverage")
