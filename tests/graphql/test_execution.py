"""The endpoint's execution (``graphql_schema.execution``) answers as graphql-core does.

Its shortcut reads plain scalar fields in place; these tests hold it to graphql-core's
own ``ExecutionContext``: the same data and the same errors, at the same paths.
"""

import graphene
import pytest
from graphql import ExecutionContext, execute, parse

from graphql_schema.execution import SyncExecutionContext, plain_leaves
from graphql_schema.schema import schema
from tests.graphql.test_schema_query_counts import (
    MAKERS,
    fill_in,
    lift_size_limits,
    queries_for,
    root_lists,
)


class Broken(Exception):
    pass


class Part:
    """An object whose attributes misbehave in the ways a resolver's source can."""

    name = "Деталь"
    missing = None
    count = "not a number"
    ratio = 0.5

    @property
    def failing(self):
        raise Broken("сломалось")


class Thing(graphene.Interface):
    name = graphene.String(required=True)

    @classmethod
    def resolve_type(cls, instance, info):
        return PartType


class PartType(graphene.ObjectType):
    class Meta:
        interfaces = (Thing,)

    name = graphene.String(required=True)
    missing = graphene.String()
    missing_required = graphene.String(required=True)
    count = graphene.Int()
    ratio = graphene.Float(required=True)
    failing = graphene.String()
    failing_required = graphene.String(required=True)
    nickname = graphene.String(default_value="без имени")
    label = graphene.String(prefix=graphene.String(required=True))
    sizes = graphene.List(graphene.Int)
    required_sizes = graphene.List(graphene.NonNull(graphene.Int))

    @staticmethod
    def resolve_label(part, info, prefix):
        return f"{prefix}: {part.name}"

    @staticmethod
    def resolve_sizes(part, info):
        return (1, "два", 3)  # a tuple, one item the scalar refuses

    @staticmethod
    def resolve_required_sizes(part, info):
        return [1, None, 3]

    @staticmethod
    def resolve_missing_required(part, info):
        return None

    @staticmethod
    def resolve_failing_required(part, info):
        return part.failing


class Query(graphene.ObjectType):
    part = graphene.Field(PartType)
    parts = graphene.List(PartType)
    record = graphene.Field(PartType)
    required_part = graphene.Field(graphene.NonNull(PartType))
    parts_with_gaps = graphene.List(graphene.NonNull(PartType))
    things = graphene.List(Thing)
    parts_from_a_generator = graphene.List(PartType)

    @staticmethod
    def resolve_part(root, info):
        return Part()

    @staticmethod
    def resolve_parts(root, info):
        return [Part(), Part()]

    @staticmethod
    def resolve_record(root, info):
        return {"name": "Из словаря", "ratio": 2, "count": 3}

    @staticmethod
    def resolve_required_part(root, info):
        return Part()

    @staticmethod
    def resolve_parts_with_gaps(root, info):
        return [Part(), None, Part()]

    @staticmethod
    def resolve_things(root, info):
        return [Part(), Part()]

    @staticmethod
    def resolve_parts_from_a_generator(root, info):
        return (Part() for _ in range(2))


SMALL_SCHEMA = graphene.Schema(query=Query, types=[PartType]).graphql_schema


def both(document: str, **options):
    """The result of graphql-core's execution and of ours, formatted."""
    parsed = parse(document)
    standard = execute(SMALL_SCHEMA, parsed, execution_context_class=ExecutionContext, **options)
    ours = execute(SMALL_SCHEMA, parsed, execution_context_class=SyncExecutionContext, **options)
    return standard.formatted, ours.formatted


def test_plain_fields_are_the_ones_read_in_place():
    leaves = plain_leaves(SMALL_SCHEMA.type_map["PartType"])
    # Fields with a resolver of their own go graphql-core's way.
    assert set(leaves) == {"name", "missing", "count", "ratio", "failing", "nickname"}


def test_arguments_lists_and_interfaces_as_graphql_core():
    # A field's arguments are worked out once per answer, from its variables.
    document = """
        query ($prefix: String!) {
            parts { label(prefix: $prefix) sizes requiredSizes }
            things { name ... on PartType { label(prefix: "деталь") } }
            partsFromAGenerator { name }
        }
    """
    for prefix in ("первая", "вторая"):
        standard, ours = both(document, variable_values={"prefix": prefix})
        assert ours == standard
        assert ours["data"]["parts"][1]["label"] == f"{prefix}: Деталь"
        assert ours["data"]["things"][0]["label"] == "деталь: Деталь"
        assert len(ours["data"]["partsFromAGenerator"]) == 2
        messages = {error["message"] for error in ours["errors"]}
        assert any("Int cannot represent" in message for message in messages)
        assert any("Cannot return null" in message for message in messages)


def test_values_defaults_and_dict_sources_as_graphql_core():
    standard, ours = both("{ part { name missing ratio nickname } record { name ratio count } }")
    assert ours == standard
    assert ours["data"] == {
        "part": {"name": "Деталь", "missing": None, "ratio": 0.5, "nickname": "без имени"},
        "record": {"name": "Из словаря", "ratio": 2.0, "count": 3},
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{ part { name failing } }", "сломалось"),
        ("{ parts { name count } }", "Int cannot represent non-integer value"),
        ("{ part { name missingRequired } }", "Cannot return null for non-nullable field"),
        ("{ requiredPart { failingRequired } }", "сломалось"),
        ("{ partsWithGaps { name } }", "Cannot return null for non-nullable field"),
        ("{ part { label } }", "Argument 'prefix' of required type 'String!' was not provided"),
        ("query ($p: String!) { part { label(prefix: $p) } }", "Variable '$p' of required type"),
    ],
)
def test_errors_at_the_same_paths_as_graphql_core(document, message):
    standard, ours = both(document)
    assert ours == standard
    assert message in ours["errors"][0]["message"]


def test_middleware_still_wraps_every_field():
    class Shout:
        def resolve(self, next_, root, info, **args):
            value = next_(root, info, **args)
            return value.upper() if isinstance(value, str) else value

    standard, ours = both("{ part { name } }", middleware=[Shout()])
    assert ours == standard == {"data": {"part": {"name": "ДЕТАЛЬ"}}}


@pytest.mark.parametrize("root", root_lists())
def test_every_root_list_answers_as_with_graphql_cores_execution(
    site_tree, graphql, settings, monkeypatch, root
):
    """Every field of every list, on real content, through the endpoint."""
    lift_size_limits(settings)
    MAKERS[root](site_tree, 3)
    fill_in()
    query = queries_for(root)["all fields"]
    ours = graphql.post(query).json()
    monkeypatch.setattr("graphql_schema.views.SyncExecutionContext", ExecutionContext)
    standard = graphql.post(query).json()
    assert "errors" not in ours, ours["errors"]
    assert ours == standard
    assert plain_leaves(schema.graphql_schema.type_map["News"])  # the shortcut is in use
