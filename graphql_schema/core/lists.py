"""Plain list fields with a declared maximum size.

The size is declared beside the field it bounds: the cost limit
(``graphql_schema.validation``) multiplies by it, and the field's answer is cut to it,
so the estimate is an upper bound of the real work. A schema test fails for any list
field declared without one.
"""

from itertools import islice

import graphene

from graphql_schema.core.errors import InvalidInput


class BoundedList(graphene.Field):
    """``[T!]!`` holding at most ``max_items``; with ``sized=True`` a ``first`` argument
    asks for fewer."""

    def __init__(self, of_type, max_items: int, sized: bool = False, **kwargs):
        kwargs.setdefault("required", True)
        if sized:
            kwargs["first"] = graphene.Int(
                description=f"At most this many (up to {max_items}, the default)."
            )
        super().__init__(graphene.List(graphene.NonNull(of_type)), **kwargs)
        self.max_items = max_items
        self.sized = sized

    def wrap_resolve(self, parent_resolver):
        resolve = super().wrap_resolve(parent_resolver)
        max_items, sized = self.max_items, self.sized

        def resolve_bounded(root, info, **args):
            limit = max_items
            if sized:
                first = args.pop("first", None)
                if first is not None:
                    if not 0 <= first <= max_items:
                        raise InvalidInput(
                            f"Аргумент first должен быть от 0 до {max_items}.", field="first"
                        )
                    limit = first
            items = resolve(root, info, **args)
            if items is None:
                return None
            if hasattr(items, "__getitem__"):
                return items[:limit]  # lists and querysets: a query's LIMIT, not a full load
            return list(islice(items, limit))

        return resolve_bounded


def list_sizes(schema) -> dict[tuple[str, str], int]:
    """{(GraphQL type name, field name): declared maximum} for every ``BoundedList`` of a
    graphql-core schema built by graphene."""
    sizes = getattr(schema, "_bounded_list_sizes", None)
    if sizes is not None:
        return sizes
    sizes = {}
    for graphql_type in schema.type_map.values():
        meta = getattr(getattr(graphql_type, "graphene_type", None), "_meta", None)
        for name, field in (getattr(meta, "fields", None) or {}).items():
            if isinstance(field, BoundedList):
                graphql_name = field.name or graphene.utils.str_converters.to_camel_case(name)
                sizes[(graphql_type.name, graphql_name)] = field.max_items
    schema._bounded_list_sizes = sizes
    return sizes
