"""Whether an answer may be cached, declared beside what makes it so.

A type, a field or a filter that reads live or personal data says so where it is
defined::

    @live
    class TourSession(DjangoObjectType): ...          # seats change with every booking

    registration = private(graphene.Field(Registration, token=...))   # a token's holder

    has_upcoming_sessions = live(django_filters.BooleanFilter(...))   # an argument

``graphql_schema.caching`` reads these declarations off the schema: a query touching
anything LIVE is never stored on the server, anything PRIVATE is never stored anywhere.
Everything else is CONTENT, cached until the next publish.
"""

import enum
from functools import cache, total_ordering

from graphene.utils.str_converters import to_camel_case
from graphql import (
    BREAK,
    DocumentNode,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

ATTRIBUTE = "graphql_cache_policy"


@total_ordering
class Policy(enum.Enum):
    """Ordered by strictness: a query gets the strictest of what it touches."""

    CONTENT = "content"
    LIVE = "live"
    PRIVATE = "private"

    def __lt__(self, other):
        order = list(Policy)
        return order.index(self) < order.index(other)


def _declare(thing, policy: Policy):
    setattr(thing, ATTRIBUTE, policy)
    return thing


def live(thing):
    """Declare a type, field or filter as reading live booking data (never server-cached)."""
    return _declare(thing, Policy.LIVE)


def private(thing):
    """Declare a type, field or filter as reading one person's data (never cached)."""
    return _declare(thing, Policy.PRIVATE)


def declared(thing) -> Policy:
    """What ``thing`` (a graphene type, field, or filter) declares; CONTENT if nothing."""
    return getattr(thing, ATTRIBUTE, Policy.CONTENT)


def type_policy(graphene_type) -> Policy:
    """A type's own declaration; a connection (or its edge) takes its node's."""
    if graphene_type is None:
        return Policy.CONTENT
    policy = declared(graphene_type)
    meta = getattr(graphene_type, "_meta", None)
    node = getattr(meta, "node", None)
    if node is not None:
        policy = max(policy, type_policy(node))
    edge_node = getattr(getattr(meta, "fields", {}).get("node"), "type", None)
    if edge_node is not None and isinstance(edge_node, type):
        policy = max(policy, type_policy(edge_node))
    return policy


class SchemaPolicies:
    """Every declaration of a schema, by GraphQL names: what the caching visitor reads."""

    def __init__(self, schema: GraphQLSchema):
        self.types: dict[str, Policy] = {}
        self.fields: dict[tuple[str, str], Policy] = {}
        self.arguments: dict[tuple[str, str, str], Policy] = {}
        for name, graphql_type in schema.type_map.items():
            graphene_type = getattr(graphql_type, "graphene_type", None)
            if graphene_type is None or not isinstance(graphql_type, GraphQLObjectType):
                continue
            self.types[name] = type_policy(graphene_type)
            for python_name, field in getattr(graphene_type._meta, "fields", {}).items():
                field_name = getattr(field, "name", None) or to_camel_case(python_name)
                graphql_field = graphql_type.fields.get(field_name)
                if graphql_field is None:
                    continue
                returned = getattr(get_named_type(graphql_field.type), "graphene_type", None)
                self.fields[(name, field_name)] = max(declared(field), type_policy(returned))
                self._arguments(name, field_name, field)

    def _arguments(self, type_name: str, field_name: str, field) -> None:
        for python_name, argument in (getattr(field, "args", None) or {}).items():
            argument_name = getattr(argument, "name", None) or to_camel_case(python_name)
            self.arguments[(type_name, field_name, argument_name)] = declared(argument)
        filterset = getattr(field, "filterset_class", None)
        if filterset is not None:
            for python_name, filter_ in filterset.base_filters.items():
                key = (type_name, field_name, to_camel_case(python_name))
                known = self.arguments.get(key, Policy.CONTENT)
                self.arguments[key] = max(known, declared(filter_))


@cache
def schema_policies(schema: GraphQLSchema) -> SchemaPolicies:
    """The declarations of ``schema``, read once per process."""
    return SchemaPolicies(schema)


def policy_for(schema: GraphQLSchema, document: DocumentNode) -> Policy:
    """The caching policy of a validated ``document`` (all its operations and fragments)."""
    type_info = TypeInfo(schema)
    visitor = _PolicyVisitor(type_info, schema_policies(schema))
    visit(document, TypeInfoVisitor(type_info, visitor))
    return visitor.policy


class _PolicyVisitor(Visitor):
    def __init__(self, type_info: TypeInfo, policies: SchemaPolicies):
        super().__init__()
        self.type_info = type_info
        self.policies = policies
        self.policy = Policy.CONTENT
        self.field: tuple[str, str] | None = None

    def _raise_to(self, policy: Policy):
        self.policy = max(self.policy, policy)
        return BREAK if self.policy is Policy.PRIVATE else None  # nothing is stricter

    def enter_field(self, node, *_):
        parent = self.type_info.get_parent_type()
        if parent is None:
            return None
        # A field's arguments are visited right after it, before its selection.
        self.field = (parent.name, node.name.value)
        policy = max(
            self.policies.types.get(parent.name, Policy.CONTENT),
            self.policies.fields.get(self.field, Policy.CONTENT),
        )
        return self._raise_to(policy)

    def enter_argument(self, node, *_):
        if self.field is None:  # a directive's argument
            return None
        key = (*self.field, node.name.value)
        return self._raise_to(self.policies.arguments.get(key, Policy.CONTENT))

    def leave_field(self, node, *_):
        self.field = None
