"""graphql-core's execution with two shortcuts for a synchronous schema.

A 100-card news feed resolves about 2,000 fields, most of them scalars read straight
off an object's attribute (``title``, ``slug``, a rendition's ``width``). graphql-core
treats each alike: a resolve info, the arguments, the default resolver, a check for an
awaitable result, then completion. Here:

- nothing is awaitable: no resolver of this schema is a coroutine, so the checks for one
  (several per field) are skipped;
- a *plain leaf* (a scalar or enum field without arguments whose resolver is graphene's
  default attribute reader) is read and serialised in place. Whenever that does not give
  a value at once (an exception, a null, a value the scalar refuses), the field goes the
  standard way, which then reports it exactly as graphql-core would.

The answers are the same as graphql-core's, errors included
(``tests/graphql/test_execution.py`` compares them).
"""

from functools import partial

from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path


def _never_awaitable(value) -> bool:
    return False


def _plain_leaf(field) -> tuple | None:
    """(attribute, default, leaf type, non-null) if ``field`` is a plain leaf, else None."""
    resolve = field.resolve
    if field.args or not isinstance(resolve, partial) or resolve.keywords:
        return None
    if resolve.func is not dict_or_attr_resolver or len(resolve.args) != 2:
        return None
    field_type = field.type
    non_null = isinstance(field_type, GraphQLNonNull)
    leaf_type = field_type.of_type if non_null else field_type
    if not is_leaf_type(leaf_type):
        return None
    attribute, default = resolve.args
    return attribute, default, leaf_type, non_null


# An object type's plain leaves by field name, found once per type (types are fixed
# for the process; a schema built again has new type objects).
_PLAIN_LEAVES: dict[int, tuple[GraphQLObjectType, dict]] = {}


def plain_leaves(parent_type: GraphQLObjectType) -> dict:
    """The plain leaves of ``parent_type`` by GraphQL field name."""
    known = _PLAIN_LEAVES.get(id(parent_type))
    if known is not None and known[0] is parent_type:
        return known[1]
    leaves = {}
    for name, field in parent_type.fields.items():
        leaf = _plain_leaf(field)
        if leaf is not None:
            leaves[name] = leaf
    _PLAIN_LEAVES[id(parent_type)] = (parent_type, leaves)
    return leaves


class SyncExecutionContext(ExecutionContext):
    """graphql-core's ``ExecutionContext`` for a schema without coroutine resolvers."""

    is_awaitable = staticmethod(_never_awaitable)

    def execute_fields(self, parent_type, source_value, path, fields):
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            # Middleware wraps every resolver: no field may skip it.
            return super().execute_fields(parent_type, source_value, path, fields)
        leaves = plain_leaves(parent_type)
        results = {}
        for response_name, field_nodes in fields.items():
            leaf = leaves.get(field_nodes[0].name.value)
            if leaf is not None:
                value = _read_leaf(source_value, leaf)
                if value is not Undefined:
                    results[response_name] = value
                    continue
            field_path = Path(path, response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
        return results


def _read_leaf(source, leaf) -> object:
    """The serialised value of a plain leaf, or Undefined where the standard path must
    decide (and report) what it is."""
    attribute, default, leaf_type, non_null = leaf
    try:
        if isinstance(source, dict):
            value = source.get(attribute, default)
        else:
            value = getattr(source, attribute, default)
        if value is None:
            return Undefined if non_null else None
        if isinstance(value, Exception) or value is Undefined:
            return Undefined
        serialized = leaf_type.serialize(value)
    except Exception:  # noqa: BLE001 - the standard path reads it again and reports it
        return Undefined
    if serialized is None or serialized is Undefined:
        return Undefined
    return serialized
