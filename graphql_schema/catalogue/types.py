"""Reference data: industries, districts, formats, seasons, awards."""

import graphene
from graphene_django import DjangoObjectType

from catalogue import models
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.images import image_field
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, prefetched_or_query
from graphql_schema.enterprises.relations import published_enterprises
from pages.visibility import published


class Industry(DjangoObjectType):
    class Meta:
        model = models.Industry
        fields = ["id", "name", "slug"]
        use_connection = True
        connection_class = CountableConnection


class District(DjangoObjectType):
    class Meta:
        model = models.District
        fields = ["id", "name", "slug", "abbreviation"]
        use_connection = True
        connection_class = CountableConnection


class EventFormat(DjangoObjectType):
    class Meta:
        model = models.EventFormat
        fields = ["id", "name", "slug", "description", "is_online"]
        use_connection = True
        connection_class = CountableConnection


SeasonKind = enum_from_choices("SeasonKind", models.Season.Kind.choices)


class Season(DjangoObjectType):
    kind = graphene.Field(SeasonKind, required=True)

    class Meta:
        model = models.Season
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "start_date",
            "end_date",
            "description",
            "planned_excursions",
            "planned_master_classes",
            "enterprises_count",
        ]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_kind(season, info):
        return str(season.kind)


class Award(DjangoObjectType):
    year = graphene.Int(required=True)
    image = image_field("image")
    enterprises = loads(
        BoundedList(
            "graphql_schema.enterprises.types.Enterprise",
            max_items=200,
            description="Published enterprises that hold this award (200 at most).",
        ),
        prefetch=[published_enterprises("enterprises", to_attr="visible_enterprises")],
    )

    class Meta:
        model = models.Award
        fields = ["id", "title", "nomination", "place", "date", "organiser", "description"]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_year(award, info):
        return award.date.year

    @staticmethod
    def resolve_enterprises(award, info):
        return prefetched_or_query(
            award, "visible_enterprises", lambda: published(award.enterprises.all())
        )
