"""Relay connections with ``totalCount`` and a hard page-size cap that is an error, not a cut."""

import django_filters
import graphene
from django.conf import settings
from graphene_django.filter import DjangoFilterConnectionField
from graphql_relay import cursor_to_offset

from graphql_schema.core.errors import InvalidInput


class CountableConnection(graphene.relay.Connection):
    """A page of results and how many there are in all."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many items match, on all pages.")

    @staticmethod
    def resolve_total_count(connection, info):
        return connection.length


def page_size_limit() -> int:
    return settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]


def check_page_size(first: int | None, last: int | None) -> None:
    """Refuse page sizes outside 0..limit with a clear error (graphene-django would assert)."""
    limit = page_size_limit()
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= limit:
            raise InvalidInput(f"Аргумент {name} должен быть от 0 до {limit}.", field=name)


def check_cursors(args: dict) -> None:
    """Cursors must be ones this API issued; offset goes with neither before nor after."""
    for name in ("after", "before"):
        cursor = args.get(name)
        if cursor is not None:
            offset = cursor_to_offset(cursor)
            if offset is None or offset < 0:
                raise InvalidInput(f"Неверный курсор в аргументе {name}.", field=name)
    offset = args.get("offset")
    if offset is not None:
        if offset < 0:
            raise InvalidInput("Аргумент offset не может быть отрицательным.", field="offset")
        if args.get("after") is not None or args.get("before") is not None:
            raise InvalidInput("offset нельзя сочетать с after или before.", field="offset")


class ListField(DjangoFilterConnectionField):
    """A filtered, paginated list of one type.

    The resolver returns the visible, prefetched queryset; the filterset narrows it.
    Invalid filters and page sizes become ``INVALID_INPUT`` errors, not masked 500s.
    """

    @classmethod
    def connection_resolver(cls, resolver, connection, default_manager, queryset_resolver,
                            max_limit, enforce_first_or_last, root, info, **args):  # fmt: skip
        check_page_size(args.get("first"), args.get("last"))
        check_cursors(args)
        return super().connection_resolver(
            resolver, connection, default_manager, queryset_resolver, max_limit,
            enforce_first_or_last, root, info, **args,
        )  # fmt: skip

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args, filterset_class):
        filter_data = {
            name: getattr(value, "value", value)  # graphene enums arrive as Enum members
            for name, value in args.items()
            if name in filtering_args
        }
        filterset = filterset_class(data=filter_data, queryset=iterable, request=info.context)
        if not filterset.is_valid():
            field, messages = next(iter(filterset.errors.items()))
            raise InvalidInput(f"Неверный фильтр {field}: {' '.join(messages)}", field=field)
        return filterset.qs


def no_filters(model) -> type[django_filters.FilterSet]:
    """A filterset with no filters, for lists that only paginate."""
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}ListFilter", (django_filters.FilterSet,), {"Meta": meta})
