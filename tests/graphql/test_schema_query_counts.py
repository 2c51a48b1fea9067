"""No N+1 anywhere the schema reaches: every root list, every field of its items.

The selection is generated from the schema itself (not written by hand): for each root
field that returns a list or a connection, every field of its items, recursively
through objects, interfaces and unions (each possible type by an inline fragment),
within the endpoint's depth limit, arguments given valid values. A type already being
expanded on the way down is not expanded again (a back reference selects only its
scalars). Its query count must be the same for 5 and for 50 items. A root list the test
cannot fill with data fails the test by name: a new list cannot slip past it.
"""

import pytest
from django.conf import settings
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
    get_nullable_type,
)
from graphql.pyutils import Undefined

from graphql_schema.schema import schema
from tests import factories
from tests.graphql.test_lists_query_counts import (
    count_queries,
    make_awards,
    make_catalogue,
    make_enterprises,
    make_leaderboard,
    make_news,
    make_prizes,
    make_quizzes,
    make_search_hits,
    make_sessions,
    make_tasks,
    make_video_series,
)

GRAPHQL_SCHEMA = schema.graphql_schema
# Who fills each root list with `count` items (the data is test fixtures, by design).
MAKERS = {
    "newsList": make_news,
    "enterprises": make_enterprises,
    "videoSeriesList": make_video_series,
    "awards": make_awards,
    "sessions": make_sessions,
    "industries": make_catalogue,
    "districts": make_catalogue,
    "formats": make_catalogue,
    "seasons": make_catalogue,
    "search": make_search_hits,
    "quizzes": make_quizzes,
    "tasks": make_tasks,
    "prizes": make_prizes,
    "leaderboard": make_leaderboard,
}
# Arguments a root list needs (other than paging).
ROOT_ARGUMENTS = {"search": '(query: "завод", first: 100)', "leaderboard": '(season: "zima")'}
SCALAR_VALUES = {"String": '"завод"', "Int": "2", "ID": '"1"', "Boolean": "true"}


def _is_list(graphql_type) -> bool:
    graphql_type = get_nullable_type(graphql_type)
    if isinstance(graphql_type, GraphQLList):
        return True
    named = get_named_type(graphql_type)
    return isinstance(named, GraphQLObjectType) and "edges" in named.fields


def root_lists() -> list[str]:
    """Every root query field that returns many items."""
    query_type = GRAPHQL_SCHEMA.query_type
    return sorted(name for name, field in query_type.fields.items() if _is_list(field.type))


def _argument_value(arg_type) -> str:
    named = get_named_type(arg_type)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    return SCALAR_VALUES.get(named.name, '"x"')


def _arguments(field) -> str:
    required = [
        f"{name}: {_argument_value(arg.type)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    return f"({', '.join(required)})" if required else ""


def selection(graphql_type, depth: int, path: tuple[str, ...]) -> str:
    """Every field of ``graphql_type`` reachable within ``depth`` more levels."""
    named = get_named_type(graphql_type)
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        possible = GRAPHQL_SCHEMA.get_possible_types(named)
        parts = ["__typename"]
        if isinstance(named, GraphQLInterfaceType):
            parts.append(_fields(named, depth, path))
        parts += [f"... on {t.name} {{ {_fields(t, depth, path)} }}" for t in possible]
        return " ".join(p for p in parts if p)
    return _fields(named, depth, path)


def _fields(named, depth: int, path: tuple[str, ...]) -> str:
    parts = []
    for name, field in named.fields.items():
        if field.deprecation_reason:
            continue
        inner = get_named_type(field.type)
        leaf = not isinstance(inner, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        if leaf:
            parts.append(f"{name}{_arguments(field)}")
        elif depth > 1 and inner.name not in path:
            inner_selection = selection(field.type, depth - 1, (*path, inner.name))
            if inner_selection:
                parts.append(f"{name}{_arguments(field)} {{ {inner_selection} }}")
    return " ".join(parts)


def _root_call(root: str) -> tuple[str, object, int]:
    field = GRAPHQL_SCHEMA.query_type.fields[root]
    arguments = ROOT_ARGUMENTS.get(root, "(first: 100)" if "first" in field.args else "")
    return f"{root}{arguments}", field.type, settings.GRAPHQL_MAX_DEPTH - 1


def _wrap(root: str, item_selection: str) -> str:
    call, root_type, _ = _root_call(root)
    named = get_named_type(root_type)
    if isinstance(named, GraphQLObjectType) and "edges" in named.fields:
        item_selection = f"edges {{ node {{ {item_selection} }} }}"
    return f"query {{ {call} {{ {item_selection} }} }}"


def item_type(root: str):
    _, root_type, _ = _root_call(root)
    named = get_named_type(root_type)
    if isinstance(named, GraphQLObjectType) and "edges" in named.fields:
        return get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
    return named


def queries_for(root: str) -> dict[str, str]:
    """The whole selection, and each field of the items on its own: a field that loads
    nothing itself may ride on a sibling's loading in the whole selection."""
    _, root_type, depth = _root_call(root)
    node = item_type(root)
    # Connections spend two levels (edges, node) before the items.
    item_depth = depth - 2 if node is not get_named_type(root_type) else depth
    path = (node.name,)
    queries = {"all fields": _wrap(root, selection(node, item_depth, path))}
    concrete = (
        GRAPHQL_SCHEMA.get_possible_types(node)
        if isinstance(node, GraphQLInterfaceType | GraphQLUnionType)
        else [node]
    )
    for graphql_type in concrete:
        for name, field in graphql_type.fields.items():
            if field.deprecation_reason:
                continue
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                sub = selection(field.type, item_depth - 1, (*path, inner.name))
                one = f"{name}{_arguments(field)} {{ {sub} }}"
            else:
                one = f"{name}{_arguments(field)}"
            if graphql_type is not node:
                one = f"... on {graphql_type.name} {{ {one} }}"
            queries[f"{graphql_type.name}.{name}"] = _wrap(root, f"__typename {one}")
    return queries


def fill_in() -> None:
    """What the list makers leave out but fields read: a body with each kind of block on
    every page that has one, and sessions without a title of their own (their title is
    then their format's)."""
    from booking.models import TourSession
    from pages.models import EnterprisePage, NewsPage

    TourSession.objects.update(title="")

    for model in (NewsPage, EnterprisePage):
        for page in model.objects.filter(body=[]) | model.objects.filter(body__isnull=True):
            page.body = [
                {"type": "paragraph", "value": "<p>Текст</p>"},
                {"type": "heading", "value": {"text": "Цех", "level": "h2"}},
                {
                    "type": "image",
                    "value": {"image": factories.ImageFactory().pk, "caption": "Цех"},
                },
            ]
            page.save()


def lift_size_limits(settings) -> None:
    """Selecting every field of 50 items is far beyond the endpoint's size limits; what
    is on trial is what the answer costs or contains, not the limits."""
    settings.GRAPHQL_MAX_COST = 10**12
    settings.GRAPHQL_MAX_FIELDS = 10**6
    settings.GRAPHQL_MAX_ALIASES = 10**6
    settings.GRAPHQL_MAX_TOKENS = 10**6
    settings.GRAPHQL_MAX_QUERY_BYTES = 10**7
    settings.GRAPHQL_MAX_RESPONSE_BYTES = 10**9


def test_every_root_list_has_data_for_this_test():
    assert set(root_lists()) <= set(MAKERS), (
        f"no data for these root lists: {sorted(set(root_lists()) - set(MAKERS))}"
    )


@pytest.mark.parametrize("root", root_lists())
def test_every_field_of_every_list_costs_the_same_for_5_and_50_items(
    site_tree, graphql, settings, root
):
    lift_size_limits(settings)
    queries = queries_for(root)
    make = MAKERS[root]
    make(site_tree, 5)
    fill_in()
    few = {label: count_queries(graphql, query)[0] for label, query in queries.items()}
    make(site_tree, 45)
    fill_in()
    many = {}
    for label, query in queries.items():
        many[label], data = count_queries(graphql, query)
        items = data[root]["edges"] if isinstance(data[root], dict) else data[root]
        assert len(items) > 5, label
    grown = {label: (few[label], many[label]) for label in queries if many[label] != few[label]}
    assert not grown, f"{root}: queries for 5 vs 50 items grow for {grown}"
