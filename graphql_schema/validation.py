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

from graphql_schema.core.lists import list_sizes

# A connection without `first`/`last` returns up to the page cap; a plain list field
# returns up to its declared maximum (``BoundedList``). A list without one (there should
# be none: a schema test checks) counts as a full page.


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


def measure_operations(
    schema: GraphQLSchema, document: DocumentNode, page_size: int
) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Each operation of ``document`` with its measure."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    measurer = _Measurer(schema, fragments, page_size)
    return [
        (
            definition,
            measurer.selection(
                definition.selection_set, schema.get_root_type(definition.operation)
            ),
        )
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def check_limits(
    schema: GraphQLSchema, document: DocumentNode, limits: Limits
) -> tuple[list[GraphQLError], int]:
    """Errors for each operation of ``document`` that goes past a limit, and the highest
    cost of its operations (what ``extensions.cost`` reports)."""
    errors = []
    highest_cost = 0
    for definition, measure in measure_operations(schema, document, limits.page_size):
        highest_cost = max(highest_cost, int(measure.cost))
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
                        extensions={"code": "QUERY_TOO_COMPLEX", "cost": int(measure.cost)},
                    )
                )
    return errors, highest_cost


class _Measurer:
    def __init__(self, schema, fragments, page_size):
        self.schema = schema
        self.list_sizes = list_sizes(schema)
        self.fragments = fragments
        self.page_size = page_size
        self.fragment_measures: dict[tuple[str, float], Measure] = {}

    def selection(self, selection_set, parent_type, page: float = 1.0) -> Measure:
        """``page``: on a connection, how many edges its ``edges`` field may hold."""
        depth = fields = aliases = 0
        cost = 0.0
        if selection_set is None:
            return Measure(0, 0, 0, 0)
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                part = self.field(node, parent_type, page)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner_type = (
                    self.schema.get_type(condition.name.value) if condition else parent_type
                )
                part = self.selection(node.selection_set, inner_type, page)
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value, page)
            else:  # pragma: no cover - the grammar has no other selections
                continue
            depth = max(depth, part.depth)
            fields += part.fields
            cost += part.cost
            aliases += part.aliases
        return Measure(depth, fields, cost, aliases)

    def fragment(self, name: str, page: float) -> Measure:
        key = (name, page)
        if key not in self.fragment_measures:
            definition = self.fragments[name]
            fragment_type = self.schema.get_type(definition.type_condition.name.value)
            self.fragment_measures[key] = self.selection(
                definition.selection_set, fragment_type, page
            )
        return self.fragment_measures[key]

    def field(self, node: FieldNode, parent_type, page: float = 1.0) -> Measure:
        alias = 1 if node.alias is not None else 0
        if node.name.value.startswith("__"):
            # Introspection is bounded by the schema and has its own on/off setting.
            return Measure(0, 0, 0, alias)
        field_def = getattr(parent_type, "fields", {}).get(node.name.value)
        field_type = field_def.type if field_def else None
        inner_type = get_named_type(field_type) if field_type else None
        sizes = [
            int(argument.value.value)
            for argument in node.arguments or ()
            if argument.name.value in ("first", "last") and isinstance(argument.value, IntValueNode)
        ]
        if inner_type is not None and _is_connection(inner_type):
            # A page of edges: only what is inside `edges` repeats, not `totalCount`.
            connection_page = float(min([self.page_size, *sizes]))
            inner = self.selection(node.selection_set, inner_type, connection_page)
            repeat = 1.0
        else:
            inner = self.selection(node.selection_set, inner_type)
            repeat = self.repeat(node, field_type, parent_type, sizes, page)
        return Measure(
            depth=1 + inner.depth,
            fields=1 + inner.fields,
            cost=1 + repeat * inner.cost,
            aliases=alias + inner.aliases,
        )

    def repeat(self, node: FieldNode, field_type, parent_type, sizes, page: float) -> float:
        """How many times the selection inside this field may repeat."""
        if _is_connection(parent_type) and node.name.value == "edges":
            return page
        if field_type is not None and is_list_type(get_nullable_type(field_type)):
            declared = self.list_sizes.get((parent_type.name, node.name.value), self.page_size)
            return float(min([declared, *sizes]))
        return 1.0


def _is_connection(graphql_type) -> bool:
    return graphql_type is not None and graphql_type.name.endswith("Connection")
