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
  standard way, which then reports it exactly as graphql-core would;
- what graphql-core works out for every object of a list alike is worked out once per
  answer: a field's definition, resolver and arguments (one field node, one set of
  variables), and which kind of type (non-null, list, leaf, abstract, object) a value
  completes as.

The answers are the same as graphql-core's, errors included
(``tests/graphql/test_execution.py`` compares them).
"""

from functools import partial

from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    Undefined,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
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


# How a value of a type completes, by the type's id (types are fixed for the process).
NON_NULL, LIST, LEAF, ABSTRACT, OBJECT = range(5)
_KINDS: dict[int, tuple[object, int]] = {}


def completion_kind(return_type) -> int:
    """Which of graphql-core's completions a value of ``return_type`` takes."""
    known = _KINDS.get(id(return_type))
    if known is not None and known[0] is return_type:
        return known[1]
    if isinstance(return_type, GraphQLNonNull):
        kind = NON_NULL
    elif isinstance(return_type, GraphQLList):
        kind = LIST
    elif is_leaf_type(return_type):
        kind = LEAF
    elif is_abstract_type(return_type):
        kind = ABSTRACT
    elif is_object_type(return_type):
        kind = OBJECT
    else:  # not an output type: graphql-core's own completion reports it
        return -1
    _KINDS[id(return_type)] = (return_type, kind)
    return kind


class SyncExecutionContext(ExecutionContext):
    """graphql-core's ``ExecutionContext`` for a schema without coroutine resolvers."""

    is_awaitable = staticmethod(_never_awaitable)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware wraps every resolver: then no field may skip graphql-core's path.
        self._wrapped = manager is not None and bool(manager.middlewares)
        # (parent type, field node id) -> (field definition, resolver, arguments)
        self._field_plans: dict[tuple, tuple] = {}

    def execute_fields(self, parent_type, source_value, path, fields):
        if self._wrapped:
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

    def execute_field(self, parent_type, source, field_nodes, path):
        """graphql-core's ``execute_field``, with what is the same for every object of a
        list (definition, resolver, arguments) looked up once per answer."""
        if self._wrapped:
            return super().execute_field(parent_type, source, field_nodes, path)
        node = field_nodes[0]
        key = (parent_type, id(node))
        field_plan = self._field_plans.get(key)
        if field_plan is None:
            field_plan = self._plan_field(parent_type, node)
            self._field_plans[key] = field_plan
        field_def, resolve_fn, args = field_plan
        if args is None:  # unknown field or bad arguments: graphql-core reports it
            return super().execute_field(parent_type, source, field_nodes, path)
        return_type = field_def.type
        info = GraphQLResolveInfo(
            node.name.value,
            field_nodes,
            return_type,
            parent_type,
            path,
            self.schema,
            self.fragments,
            self.root_value,
            self.operation,
            self.variable_values,
            self.context_value,
            self.is_awaitable,
        )
        try:
            result = resolve_fn(source, info, **args)
            return self.complete_value(return_type, field_nodes, info, path, result)
        except Exception as raw_error:  # noqa: BLE001 - a field error, as graphql-core's
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def _plan_field(self, parent_type, node) -> tuple:
        field_def = get_field_def(self.schema, parent_type, node)
        if not field_def:
            return None, None, None
        try:
            args = get_argument_values(field_def, node, self.variable_values)
        except Exception:  # noqa: BLE001 - raised again, and located, by graphql-core
            args = None
        return field_def, field_def.resolve or self.field_resolver, args

    def complete_value(self, return_type, field_nodes, info, path, result):
        """graphql-core's ``complete_value``, dispatching on the type's kind found once."""
        if isinstance(result, Exception):
            raise result
        kind = completion_kind(return_type)
        if kind == NON_NULL:
            completed = self.complete_value(return_type.of_type, field_nodes, info, path, result)
            if completed is None:
                raise TypeError(
                    "Cannot return null for non-nullable field"
                    f" {info.parent_type.name}.{info.field_name}."
                )
            return completed
        if result is None or result is Undefined:
            return None
        if kind == OBJECT:
            return self.complete_object_value(return_type, field_nodes, info, path, result)
        if kind == LIST:
            return self.complete_list_value(return_type, field_nodes, info, path, result)
        if kind == LEAF:
            return self.complete_leaf_value(return_type, result)
        return super().complete_value(return_type, field_nodes, info, path, result)

    def complete_list_value(self, return_type, field_nodes, info, path, result):
        """graphql-core's ``complete_list_value`` for a list or tuple, without the
        awaitable checks of each item; anything else goes graphql-core's way."""
        if not isinstance(result, list | tuple):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        item_type = return_type.of_type
        complete_value = self.complete_value
        completed_results = []
        append_result = completed_results.append
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            try:
                append_result(complete_value(item_type, field_nodes, info, item_path, item))
            except Exception as raw_error:  # noqa: BLE001 - an item's error, as graphql-core's
                error = located_error(raw_error, field_nodes, item_path.as_list())
                self.handle_field_error(error, item_type, item_path)
                append_result(None)
        return completed_results


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
