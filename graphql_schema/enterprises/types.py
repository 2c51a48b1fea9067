"""Enterprises (and museums, technopark sites) as clients read them."""

import graphene
from graphene_django import DjangoObjectType

from booking.models import TourSession as TourSessionModel
from catalogue.models import Award as AwardModel
from catalogue.models import Industry as IndustryModel
from graphql_schema.catalogue.types import Award, District, EventFormat, Industry
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.images import image_field
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, prefetched_or_query, related
from graphql_schema.core.pages import PAGE_FIELDS, PageInterface, page_type
from graphql_schema.core.streamfield import resolve_stream, stream_field
from pages import models

# Sessions an enterprise lists in `upcomingSessions`; all of them: `sessions(enterprise:)`.
MAX_UPCOMING_SESSIONS = 20

EnterpriseKind = enum_from_choices("EnterpriseKind", models.EnterprisePage.Kind.choices)


class Coordinates(graphene.ObjectType):
    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)


class VisitorRequirements(graphene.ObjectType):
    min_age = graphene.Int(description="Minimum visitor age; null when there is none.")
    id_document_required = graphene.Boolean(required=True)
    notes = graphene.String(required=True)


class GalleryImage(graphene.ObjectType):
    image = image_field("image", required=True)
    caption = graphene.String(required=True)


@page_type(models.EnterprisePage)
class Enterprise(DjangoObjectType):
    """An enterprise, industrial museum or technopark site open to visitors."""

    name = loads(
        graphene.String(required=True, description="The enterprise's name (its page title)."),
        columns=["title"],
    )
    kind = loads(graphene.Field(EnterpriseKind, required=True), columns=["kind"])
    body = stream_field()
    logo = image_field("logo")
    cover_image = image_field("cover_image")
    gallery = loads(
        BoundedList(GalleryImage, max_items=50),
        prefetch=[
            related(
                "gallery_images",
                GalleryImage,
                models.EnterpriseGalleryImage.objects.all,
                to_attr="gallery",
                order_by=("sort_order",),
            )
        ],
    )
    industries = loads(
        BoundedList(Industry, max_items=20),
        prefetch=[
            related(
                "industries", Industry, IndustryModel.objects.all, to_attr="prefetched_industries"
            )
        ],
    )
    formats = loads(BoundedList(EventFormat, max_items=20), prefetch=["formats"])
    district = loads(graphene.Field(District), select=["district"])
    coordinates = loads(graphene.Field(Coordinates), columns=["latitude", "longitude"])
    visitor_requirements = loads(
        graphene.Field(VisitorRequirements, required=True),
        columns=["min_age", "id_document_required", "visitor_notes"],
    )
    awards = loads(
        BoundedList(Award, max_items=50),
        prefetch=[
            related("awards", Award, AwardModel.objects.published, to_attr="published_awards")
        ],
    )
    upcoming_sessions = loads(
        BoundedList(
            "graphql_schema.booking.types.TourSession",
            max_items=MAX_UPCOMING_SESSIONS,
            sized=True,
            description="Scheduled sessions that have not started, soonest first.",
        ),
        prefetch=[
            related(
                "sessions",
                "graphql_schema.booking.types.TourSession",
                lambda: TourSessionModel.objects.upcoming().with_seats_taken(),
                to_attr="upcoming_sessions",
                order_by=("starts_at", "pk"),
                window=MAX_UPCOMING_SESSIONS,  # per enterprise
                # Django sets each session's enterprise to the page that prefetched it.
                back_field="enterprise",
            )
        ],
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
        return prefetched_or_query(page, "prefetched_industries", page.industries.all)

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
