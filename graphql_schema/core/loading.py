"""What a field needs loaded, declared beside it; one planner turns a selection into SQL.

A field says what its resolver reads, in the spirit of strawberry-django's optimizer
hints::

    district = loads(graphene.Field(District), select=["district"])
    industries = loads(BoundedList(Industry, max_items=20), prefetch=["industries"])
    awards = loads(
        BoundedList(Award, max_items=50),
        prefetch=[related("awards", Award, Award.objects.published, to_attr="published_awards")],
    )
    title = loads(graphene.String(), select=["event_format"], needs=["enterprise"])

and a type may say what every object of it needs (``@type_loads(needs=[...])``).
``plan(queryset, SomeType, tree)`` walks the selection tree of one item and applies
exactly what the selected fields declare: ``select_related`` for single relations,
``prefetch_related`` for lists, and for a ``related`` list the items' own type plans
their queryset in turn, so a list costs the same number of queries whatever its length.

Columns too: only those the selection reads are loaded (``.only()``), since building a
page object with all its columns (a StreamField's JSON among them) is most of a list's
cost. A field reads its model field of the same name when graphene's default resolver
reads it, and nothing of its own object when it declares a relation to load;
otherwise it says which columns its resolver reads::

    name = loads(graphene.String(required=True), columns=["title"])

When a selected field's columns are unknown (a resolver of its own, nothing declared),
every column is loaded, as without planning. The key and the relations' ids always are.
A declaration that misses a column costs a query per object, which the schema-wide
query-count test reports.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial

import graphene
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.db.models.query import ModelIterable
from django.utils.module_loading import import_string
from graphene.types.unmountedtype import UnmountedType
from graphene.utils.str_converters import to_camel_case

from graphql_schema.core.selection import SelectionTree, merge_selection

ATTRIBUTE = "graphql_loads"
# In a selection tree: every column of the objects is needed (see ``_with_needs``).
EVERY_COLUMN = "*"


@dataclass(frozen=True)
class Loads:
    """What one field (or every object of a type) needs loaded."""

    select: tuple[str, ...] = ()
    # Lookups: a string, or a callable of the field's subtree giving a lookup or a list
    # of them (a fresh Prefetch per plan: a Prefetch's queryset must not be shared
    # between queries).
    prefetch: tuple = ()
    # Other fields of the same type whose loading this one needs (camelCase names).
    needs: tuple[str, ...] = ()
    # Callables ``(subtree, objects)`` run once on all objects a query loads: for what
    # is not a relation (chooser targets inside a StreamField's JSON).
    batch: tuple = ()
    # The object's own columns (model field names) the resolver reads; None: as the
    # module's docstring says.
    columns: tuple[str, ...] | None = None


def loads(
    graphene_field,
    *,
    select: Iterable[str] = (),
    prefetch=(),
    needs=(),
    batch=(),
    columns: Iterable[str] | None = None,
):
    """Declare what ``graphene_field``'s resolver reads; returns the field."""
    if isinstance(graphene_field, UnmountedType):
        # graphene.String() would be mounted into a new Field later, losing the hint.
        graphene_field = graphene_field.mount_as(graphene.Field)
    hint = Loads(
        tuple(select),
        tuple(prefetch),
        tuple(needs),
        tuple(batch),
        None if columns is None else tuple(columns),
    )
    setattr(graphene_field, ATTRIBUTE, hint)
    return graphene_field


def after_load(queryset, hook: Callable):
    """``queryset`` that calls ``hook(objects)`` once with all the objects it loads.

    The hook survives filtering, ordering and slicing (they keep the iterable class), so
    a list resolver's page of items is handled in one go whatever its length.
    """
    if not issubclass(queryset._iterable_class, ModelIterable):
        return queryset  # values()/values_list(): no objects to hand over
    parent = queryset._iterable_class

    def __iter__(self):  # noqa: N807
        objects = list(parent.__iter__(self))
        if objects:
            hook(objects)
        return iter(objects)

    clone = queryset.all()
    clone._iterable_class = type("BatchedIterable", (parent,), {"__iter__": __iter__})
    return clone


def type_loads(*, select: Iterable[str] = (), prefetch=(), needs=(), columns: Iterable[str] = ()):
    """Class decorator: what every object of the type needs, whatever is selected."""

    def declare(graphene_type):
        hint = Loads(tuple(select), tuple(prefetch), tuple(needs), columns=tuple(columns))
        setattr(graphene_type, ATTRIBUTE, hint)
        return graphene_type

    return declare


@dataclass(frozen=True)
class related:  # noqa: N801 (used like a function in declarations)
    """A list (or an object) of another GraphQL type, planned by that type's hints.

    ``queryset`` is a callable giving the visible items (called per plan); ``window``
    keeps the first N per parent, ``order_by`` orders them; ``back_field`` names the
    items' field that points back to the parent, which Django fills from the prefetch:
    what is selected inside it is loaded with the parent's own selection instead.
    """

    lookup: str
    item_type: object  # a graphene type, or its dotted path (for types defined later)
    queryset: Callable
    to_attr: str | None = None
    order_by: tuple[str, ...] = ()
    window: int | None = None
    back_field: str | None = None
    extra: Callable | None = field(default=None)  # queryset -> queryset, before planning

    def __call__(self, tree: SelectionTree) -> Prefetch:
        item_type = self.item_type
        if isinstance(item_type, str):
            item_type = import_string(item_type)
        queryset = self.queryset()
        if self.extra is not None:
            queryset = self.extra(queryset)
        # The parent fills the back field: the items never load it themselves.
        provided = (self.back_field,) if self.back_field else ()
        queryset = plan(queryset, item_type, tree, provided=provided, keys=self.back_keys(queryset))
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        if self.window is not None:
            queryset = queryset[: self.window]  # per parent: Django uses a window function
        return Prefetch(self.lookup, queryset=queryset, to_attr=self.to_attr)

    def back_keys(self, queryset) -> tuple[str, ...]:
        """The items' foreign keys to the parent: Django matches items to parents by them."""
        accessor = self.lookup.rsplit("__", 1)[-1]
        return tuple(
            f.name
            for f in queryset.model._meta.concrete_fields
            if f.is_relation and f.remote_field.get_accessor_name() == accessor
        )


@cache
def python_names(graphene_type) -> dict:
    """The type's graphene field names (snake_case) under their GraphQL names."""
    fields = getattr(getattr(graphene_type, "_meta", None), "fields", None) or {}
    return {
        (getattr(value, "name", None) or to_camel_case(name)): name
        for name, value in fields.items()
    }


@cache
def fields_by_graphql_name(graphene_type) -> dict:
    """The type's graphene fields under their GraphQL (camelCase) names."""
    names = python_names(graphene_type)  # empty when the type has no fields
    return {graphql: graphene_type._meta.fields[python] for graphql, python in names.items()}


def _has_own_resolver(graphene_type, python_name: str) -> bool:
    """Whether anything but graphene's default attribute reader resolves the field."""
    graphene_field = graphene_type._meta.fields[python_name]
    if not isinstance(graphene_field, graphene.Field):
        return True  # graphene-django's Dynamic (a relation in Meta.fields): unknown here
    if getattr(graphene_field, "resolver", None) is not None:
        return True
    if type(graphene_field).wrap_resolve is not graphene.Field.wrap_resolve:
        return True  # a list or connection field with a resolver of its own
    owners = (graphene_type, *getattr(graphene_type._meta, "interfaces", ()))
    return any(getattr(owner, f"resolve_{python_name}", None) for owner in owners)


@cache
def field_columns(graphene_type, graphql_name: str, model) -> tuple[str, ...] | None:
    """The columns of ``model`` the field's resolver reads, or None if unknown."""
    hint = hint_of(graphene_type, graphql_name)
    if hint is not None and hint.columns is not None:
        return hint.columns
    python_name = python_names(graphene_type)[graphql_name]
    if python_name == "id" or python_name == model._meta.pk.name:
        return ()  # the key: always loaded
    try:
        model_field = model._meta.get_field(python_name)
    except FieldDoesNotExist:
        model_field = None
    same_name = (python_name,) if model_field is not None and model_field.concrete else ()
    if hint is not None and (hint.prefetch or hint.select):
        # Its resolver reads the relation it loads (whose ids are always loaded).
        return same_name
    if model_field is None or _has_own_resolver(graphene_type, python_name):
        return None
    return same_name


def columns_to_load(
    queryset, graphene_type, tree: SelectionTree, relations: Iterable[str] = ()
) -> list[str] | None:
    """The columns of ``queryset``'s model that ``tree`` reads, or None when some selected
    field's are unknown. With them: the key, and the id of each of ``relations`` (the
    relations the plan loads) that is a column of the model."""
    if getattr(getattr(graphene_type, "_meta", None), "model", None) is None:
        return None  # not a model's type
    if not issubclass(queryset._iterable_class, ModelIterable):
        return None
    if EVERY_COLUMN in tree:
        return None
    model = queryset.model
    own = getattr(graphene_type, ATTRIBUTE, None)
    wanted = dict.fromkeys(own.columns if own and own.columns else ())
    names = python_names(graphene_type)
    for name in tree:
        if name not in names:
            continue  # __typename, or a fragment's field of another type
        columns = field_columns(graphene_type, name, model)
        if columns is None:
            return None
        wanted.update(dict.fromkeys(columns))
    # A loaded relation's objects are matched by its id; the ids of the others (a page
    # has seven: owner, locale, revisions…) would be set on every object for nothing.
    loaded = set(relations)
    always = [
        f.name
        for f in model._meta.concrete_fields
        if f.primary_key or (f.is_relation and f.name in loaded)
    ]
    return list(dict.fromkeys([*always, *wanted]))


def hint_of(graphene_type, graphql_name: str) -> Loads | None:
    """What the field ``graphql_name`` of ``graphene_type`` declares it needs, if anything."""
    graphene_field = fields_by_graphql_name(graphene_type).get(graphql_name)
    return getattr(graphene_field, ATTRIBUTE, None)


def _item_type(lookup: related):
    item_type = lookup.item_type
    return import_string(item_type) if isinstance(item_type, str) else item_type


def _back_fields(graphene_type, tree: SelectionTree) -> SelectionTree:
    """Fold what related items select inside their back field, or need of it, into the
    parent's tree."""
    folded = dict(tree)
    needs_folded: set[str] = set()
    changed = True
    while changed:  # the folded selection may nest the same again
        changed = False
        for name, subtree in list(folded.items()):
            hint = hint_of(graphene_type, name)
            for lookup in hint.prefetch if hint else ():
                back = getattr(lookup, "back_field", None)
                if not back:
                    continue
                if back in subtree:
                    inner = subtree[back]
                    subtree = folded[name] = {k: v for k, v in subtree.items() if k != back}
                    merge_selection(folded, inner)
                    changed = True
                if name not in needs_folded:
                    needs_folded.add(name)
                    wanted = _with_needs(_item_type(lookup), subtree, ())
                    if back in wanted:
                        merge_selection(folded, wanted[back])
    return folded


def _with_needs(graphene_type, tree: SelectionTree, provided: tuple[str, ...]) -> SelectionTree:
    """Add the fields that selected fields (and the type itself) say they need, but for
    those the caller ``provided``. A needed field loads every column of its objects:
    what a resolver reads through another field is not declared."""
    result = {name: subtree for name, subtree in tree.items() if name not in provided}
    own = getattr(graphene_type, ATTRIBUTE, None)
    needed = list(own.needs if own else ())
    for name in result:
        hint = hint_of(graphene_type, name)
        needed.extend(hint.needs if hint else ())
    while needed:
        name = needed.pop()
        if name in provided:
            continue
        if EVERY_COLUMN in result.get(name, {}):
            continue
        result[name] = {**result.get(name, {}), EVERY_COLUMN: {}}
        hint = hint_of(graphene_type, name)
        needed.extend(hint.needs if hint else ())
    return result


def plan(
    queryset,
    graphene_type,
    tree: SelectionTree,
    provided: tuple[str, ...] = (),
    keys: tuple[str, ...] = (),
):
    """``queryset`` with what ``tree`` (one item's selection on ``graphene_type``) needs.

    ``provided``: fields the caller fills itself (a prefetch's back field); ``keys``:
    foreign keys to load whatever is selected (those a prefetch matches items by).
    """
    tree = _with_needs(graphene_type, _back_fields(graphene_type, tree), provided)
    hints = [(getattr(graphene_type, ATTRIBUTE, None), {})]
    hints += [(hint_of(graphene_type, name), subtree) for name, subtree in tree.items()]
    selects: list[str] = []
    lookups: dict[str, object] = {}  # one per path: a field and its sibling may share one
    for hint, subtree in hints:
        if hint is None:
            continue
        selects.extend(hint.select)
        for lookup in hint.prefetch:
            built = lookup(subtree) if callable(lookup) else lookup
            for one in built if isinstance(built, list) else [built]:
                lookups.setdefault(getattr(one, "prefetch_to", one), one)
    through = [getattr(one, "prefetch_through", one) for one in lookups.values()]
    # A related manager's queryset (``parent.children.all()``) sets the parent on each
    # child by the child's foreign key: that key is read for every object.
    known = [f.name for f in getattr(queryset, "_known_related_objects", {})]
    relations = [lookup.split("__", 1)[0] for lookup in [*selects, *through, *keys, *known]]
    columns = columns_to_load(queryset, graphene_type, tree, relations)
    if columns is not None:
        queryset = queryset.only(*columns)
    if selects:
        queryset = queryset.select_related(*dict.fromkeys(selects))
    if lookups:
        queryset = queryset.prefetch_related(*lookups.values())
    for hint, subtree in hints:
        for hook in hint.batch if hint else ():
            queryset = after_load(queryset, partial(hook, subtree))
    return queryset


def prefetched_or_query(obj, attr: str, query):
    """The list prefetched into ``attr``, or ``query()`` when it was not prefetched."""
    cached = getattr(obj, attr, None)
    return cached if cached is not None else list(query())
