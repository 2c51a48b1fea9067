"""Enterprises (and museums, technopark sites) as clients read them."""

import graphene
from graphene_django import DjangoObjectType

from graphql_schema.catalogue.types import Award, District, EventFormat, Industry
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.images import Image
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.pages import PAGE_FIELDS, PageInterface, page_type
from graphql_schema.core.prefetch import MAX_UPCOMING_SESSIONS, prefetched_or_query
from graphql_schema.core.streamfield import resolve_stream, stream_field
from pages import models

EnterpriseKind = enum_from_choices("EnterpriseKind", models.EnterprisePage.Kind.choices)


class Coordinates(graphene.ObjectType):
    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)


class VisitorRequirements(graphene.ObjectType):
    min_age = graphene.Int(description="Minimum visitor age; null when there is none.")
    id_document_required = graphene.Boolean(required=True)
    notes = graphene.String(required=True)


class GalleryImage(graphene.ObjectType):
    image = graphene.Field(Image, required=True)
    caption = graphene.String(required=True)


@page_type(models.EnterprisePage)
class Enterprise(DjangoObjectType):
    """An enterprise, industrial museum or technopark site open to visitors."""

    name = graphene.String(required=True, description="The enterprise's name (its page title).")
    kind = graphene.Field(EnterpriseKind, required=True)
    body = stream_field()
    logo = graphene.Field(Image)
    cover_image = graphene.Field(Image)
    gallery = BoundedList(GalleryImage, max_items=50)
    industries = BoundedList(Industry, max_items=20)
    formats = BoundedList(EventFormat, max_items=20)
    district = graphene.Field(District)
    coordinates = graphene.Field(Coordinates)
    visitor_requirements = graphene.Field(VisitorRequirements, required=True)
    awards = BoundedList(Award, max_items=50)
    upcoming_sessions = BoundedList(
        "graphql_schema.booking.types.TourSession",
        max_items=MAX_UPCOMING_SESSIONS,
        sized=True,
        description="Scheduled sessions that have not started, soonest first.",
    )

    class Meta:
        model = models.EnterprisePage
        fields = [
            *PAGE_FIELDS,
            "short_description",
            "address",
            "website",
            "joined_year",
            "is_technopolis_resident",
        ]
        interfaces = (PageInterface,)
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_name(page, info):
        return page.title

    @staticmethod
    def resolve_kind(page, info):
        return str(page.kind)

    @staticmethod
    def resolve_body(page, info):
        return resolve_stream(page.body)

    @staticmethod
    def resolve_gallery(page, info):
        return prefetched_or_query(
            page, "gallery", lambda: page.gallery_images.order_by("sort_order")
        )

    @staticmethod
    def resolve_industries(page, info):
        return page.industries.all()

    @staticmethod
    def resolve_formats(page, info):
        return page.formats.all()

    @staticmethod
    def resolve_coordinates(page, info):
        if page.latitude is None or page.longitude is None:
            return None
        return Coordinates(latitude=float(page.latitude), longitude=float(page.longitude))

    @staticmethod
    def resolve_visitor_requirements(page, info):
        return VisitorRequirements(
            min_age=page.min_age,
            id_document_required=page.id_document_required,
            notes=page.visitor_notes,
        )

    @staticmethod
    def resolve_awards(page, info):
        return prefetched_or_query(page, "published_awards", lambda: page.awards.published())

    @staticmethod
    def resolve_upcoming_sessions(page, info):
        return prefetched_or_query(
            page,
            "upcoming_sessions",
            lambda: page.sessions.upcoming().with_seats_taken().order_by("starts_at", "pk"),
        )
