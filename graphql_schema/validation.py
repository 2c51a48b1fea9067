"""Limits on what one GraphQL document may ask, checked after graphql-core's standard rules.

They run only on documents the standard rules accept, so fragments are known and
acyclic here. Each fragment is measured once and reused wherever it is spread, so a
document of fragments that spread each other many times costs linear work to check.
"""

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

# A connection without `first`/`last` returns up to the page cap; a plain list field is
# assumed to hold this many items when estimating what a query may cost.
LIST_FACTOR = 10


@dataclass(frozen=True)
class Measure:
    depth: int  # deepest field nesting
    fields: int  # fields selected once fragments are expanded
    cost: float  # fields weighted by how many times lists repeat them
    aliases: int


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_fields: int
    max_cost: int
    max_aliases: int
    page_size: int


def check_limits(
    schema: GraphQLSchema, document: DocumentNode, limits: Limits
) -> list[GraphQLError]:
    """Errors for each operation of ``document`` that goes past a limit."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    measurer = _Measurer(schema, fragments, limits.page_size)
    errors = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = schema.get_root_type(definition.operation)
        measure = measurer.selection(definition.selection_set, root)
        for value, limit, what in (
            (measure.depth, limits.max_depth, f"глубина больше {limits.max_depth}"),
            (measure.aliases, limits.max_aliases, f"больше {limits.max_aliases} псевдонимов"),
            (measure.fields, limits.max_fields, f"больше {limits.max_fields} полей"),
            (measure.cost, limits.max_cost, f"оценка объёма больше {limits.max_cost}"),
        ):
            if value > limit:
                errors.append(
                    GraphQLError(
                        f"Запрос слишком сложный: {what}.",
                        definition,
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )
    return errors


class _Measurer:
    def __init__(self, schema, fragments, page_size):
        self.schema = schema
        self.fragments = fragments
        self.page_size = page_size
        self.fragment_measures: dict[str, Measure] = {}

    def selection(self, selection_set, parent_type) -> Measure:
        depth = fields = aliases = 0
        cost = 0.0
        if selection_set is None:
            return Measure(0, 0, 0, 0)
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                part = self.field(node, parent_type)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner_type = (
                    self.schema.get_type(condition.name.value) if condition else parent_type
                )
                part = self.selection(node.selection_set, inner_type)
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value)
            else:  # pragma: no cover - the grammar has no other selections
                continue
            depth = max(depth, part.depth)
            fields += part.fields
            cost += part.cost
            aliases += part.aliases
        return Measure(depth, fields, cost, aliases)

    def fragment(self, name: str) -> Measure:
        if name not in self.fragment_measures:
            definition = self.fragments[name]
            fragment_type = self.schema.get_type(definition.type_condition.name.value)
            self.fragment_measures[name] = self.selection(definition.selection_set, fragment_type)
        return self.fragment_measures[name]

    def field(self, node: FieldNode, parent_type) -> Measure:
        alias = 1 if node.alias is not None else 0
        if node.name.value.startswith("__"):
            # Introspection is bounded by the schema and has its own on/off setting.
            return Measure(0, 0, 0, alias)
        field_def = getattr(parent_type, "fields", {}).get(node.name.value)
        field_type = field_def.type if field_def else None
        inner_type = get_named_type(field_type) if field_type else None
        inner = self.selection(node.selection_set, inner_type)
        return Measure(
            depth=1 + inner.depth,
            fields=1 + inner.fields,
            cost=1 + self.repeat(node, field_type, parent_type) * inner.cost,
            aliases=alias + inner.aliases,
        )

    def repeat(self, node: FieldNode, field_type, parent_type) -> float:
        """How many times the selection inside this field may repeat."""
        if _is_connection(parent_type) and node.name.value == "edges":
            return 1.0  # the connection field itself already counted its page size
        sizes = [
            int(argument.value.value)
            for argument in node.arguments or ()
            if argument.name.value in ("first", "last") and isinstance(argument.value, IntValueNode)
        ]
        if field_type is not None and _is_connection(get_named_type(field_type)):
            return float(min(sizes) if sizes else self.page_size)
        if field_type is not None and is_list_type(get_nullable_type(field_type)):
            return float(LIST_FACTOR)
        return 1.0


def _is_connection(graphql_type) -> bool:
    return graphql_type is not None and graphql_type.name.endswith("Connection")
