import django_filters
import graphene
from django import forms

from catalogue import models
from graphql_schema.catalogue import types
from graphql_schema.core.connections import ListField, no_filters
from graphql_schema.core.loading import plan
from graphql_schema.core.selection import selection_tree


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # an Int in the schema, not a Decimal


class AwardFilter(django_filters.FilterSet):
    year = YearFilter(field_name="date__year", min_value=1900, max_value=2100)

    class Meta:
        model = models.Award
        fields = ["year"]


class CatalogueQueries(graphene.ObjectType):
    industries = ListField(types.Industry, filterset_class=no_filters(models.Industry))
    districts = ListField(types.District, filterset_class=no_filters(models.District))
    formats = ListField(types.EventFormat, filterset_class=no_filters(models.EventFormat))
    seasons = ListField(
        types.Season,
        filterset_class=no_filters(models.Season),
        description="Seasons and stages, latest first.",
    )
    current_season = graphene.Field(
        types.Season, description="The season running today, else the next one; null if none."
    )
    awards = ListField(types.Award, filterset_class=AwardFilter, description="Published awards.")

    @staticmethod
    def resolve_industries(root, info, **kwargs):
        return models.Industry.objects.order_by("name")

    @staticmethod
    def resolve_districts(root, info, **kwargs):
        return models.District.objects.order_by("name")

    @staticmethod
    def resolve_formats(root, info, **kwargs):
        return models.EventFormat.objects.order_by("sort_order", "name")

    @staticmethod
    def resolve_seasons(root, info, **kwargs):
        return models.Season.objects.order_by("-start_date")

    @staticmethod
    def resolve_current_season(root, info):
        return models.Season.objects.current()

    @staticmethod
    def resolve_awards(root, info, **kwargs):
        return plan(
            models.Award.objects.published(), types.Award, selection_tree(info, "edges", "node")
        ).order_by("-date", "title")
