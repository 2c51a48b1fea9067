"""Pages loaded from the database are built by Django's constructor alone (pages.rows):
the same objects as the full constructor chain gives, for full and partial rows."""

import pytest
from django.apps import apps
from django.db import connection, models
from modelcluster.models import ClusterableModel
from wagtail.models import Page

from pages.models import EnterprisePage, HeadlessPage, NewsPage
from tests import factories


def page_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, HeadlessPage) and not model._meta.abstract
    ]


def constructors(model: type) -> list[str]:
    return [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in model.__mro__
        if "__init__" in cls.__dict__ and cls is not object
    ]


@pytest.mark.parametrize("model", page_models(), ids=lambda model: model.__name__)
def test_no_constructor_has_joined_the_chain_that_rows_skip(model):
    # Each of these was read and does nothing for a row (see pages.rows). A new one,
    # from an upgrade or our own code, must be read too before rows may skip it.
    assert constructors(model) == [
        "wagtail.models.pages.AbstractPage",
        "modelcluster.models.ClusterableModel",
        "wagtail.models.pages.ShowInMenusMixin",
        "django.db.models.base.Model",
    ]
    assert issubclass(model, ClusterableModel) and issubclass(model, Page)


def full_chain(model, field_names, values):
    return models.Model.from_db.__func__(model, connection.alias, field_names, values)


def state(page) -> dict:
    fields = {name: value for name, value in vars(page).items() if name != "_state"}
    return {
        "fields": fields,
        "adding": page._state.adding,
        "db": page._state.db,
        "deferred": page.get_deferred_fields(),
    }


@pytest.mark.parametrize(
    "columns",
    [
        None,  # every column
        ["id", "page_ptr_id", "title", "slug", "url_path", "date", "lead", "hero_image_id"],
        ["id", "page_ptr_id"],  # the keys, which a queryset always loads
    ],
    ids=["full", "partial", "only-key"],
)
def test_a_page_row_gives_the_same_page_as_the_full_constructor_chain(site_tree, columns):
    page = factories.NewsPageFactory(parent=site_tree.news_index)
    # A queryset gives the loaded columns in the model's order, as here.
    concrete = [field.attname for field in NewsPage._meta.concrete_fields]
    field_names = concrete if columns is None else [c for c in concrete if c in columns]
    (values,) = NewsPage.objects.filter(pk=page.pk).values_list(*field_names)

    built = NewsPage.from_db(connection.alias, field_names, values)

    assert type(built) is NewsPage
    assert state(built) == state(full_chain(NewsPage, field_names, values))
    assert built.title == page.title
    # A later row of another shape is laid out afresh, not by the first one's layout.
    shorter = ["id", "title"]
    (short_values,) = NewsPage.objects.filter(pk=page.pk).values_list(*shorter)
    again = NewsPage.from_db(connection.alias, shorter, short_values)
    assert state(again) == state(full_chain(NewsPage, shorter, short_values))


def test_loaded_pages_keep_working_as_pages(site_tree):
    # Child lists, deferred columns and saving a revision work on a page a queryset built.
    page = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    loaded = EnterprisePage.objects.only("id", "title").get(pk=page.pk)
    assert loaded.get_deferred_fields() >= {"short_description"}
    assert loaded.short_description == page.short_description  # loads the column
    assert list(loaded.gallery_images.all()) == []

    loaded = EnterprisePage.objects.get(pk=page.pk)
    loaded.title = "Новое название"
    loaded.save_revision().publish()
    assert EnterprisePage.objects.get(pk=page.pk).title == "Новое название"
    assert loaded.specific_class is EnterprisePage
