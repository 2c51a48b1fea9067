"""Pages built from database rows with Django's constructor alone.

A page's class inherits four constructors: Wagtail's ``Page.__init__`` and
``ShowInMenusMixin.__init__`` (both act only on a page without an id), modelcluster's
``ClusterableModel.__init__`` (it scans all of the model's fields, about 120 for a page,
on every object, looking for child lists passed as keyword arguments) and Django's
``Model.__init__``. A row from the database always has its id and never child lists, so
the first three do nothing for it, yet they cost as much as Django's own constructor: a
100-card feed builds some 200 pages. ``HeadlessPage.from_db`` skips them.

``tests/pages/test_page_rows.py`` checks that a page built here equals one built by the
full chain, and fails if a Wagtail or modelcluster upgrade adds a constructor to it.
"""

from django.db import models
from django.db.models.base import DEFERRED

# Per model: the column names of the last query that loaded some, and where each of
# the model's concrete fields is among them (None: deferred). A queryset's rows share
# one list of names, so this is worked out once per query, not once per row.
_LAYOUTS: dict[type, tuple[list[str], tuple[int | None, ...]]] = {}


def _layout(model: type, field_names: list[str]) -> tuple[int | None, ...]:
    known = _LAYOUTS.get(model)
    if known is not None and known[0] == field_names:
        return known[1]
    position = {name: index for index, name in enumerate(field_names)}
    layout = tuple(position.get(f.attname) for f in model._meta.concrete_fields)
    _LAYOUTS[model] = (list(field_names), layout)
    return layout


def object_from_row(model: type, db: str, field_names: list[str], values: tuple):
    """What ``Model.from_db`` returns, built with ``models.Model.__init__`` only.

    Only for models whose other constructors do nothing for an object with an id and
    positional arguments (see the module's docstring).
    """
    if len(values) != len(model._meta.concrete_fields):
        values = [
            DEFERRED if index is None else values[index] for index in _layout(model, field_names)
        ]
    instance = model.__new__(model)
    models.Model.__init__(instance, *values)
    instance._state.adding = False
    instance._state.db = db
    return instance
