"""Excursion sessions and the visitor's own view of a registration."""

from enum import StrEnum

import graphene
from django.core.exceptions import ObjectDoesNotExist
from graphene_django import DjangoObjectType

from booking import models
from booking.errors import BookingErrorCode as DomainErrorCode
from graphql_schema.catalogue.types import EventFormat, Season
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, related, type_loads
from graphql_schema.core.policy import live, private
from graphql_schema.enterprises.relations import published_enterprises
from quests.models import Task

# Codes the services no longer raise, kept in the schema so that clients switching on
# them still validate: removing an enum value is a breaking change. {code: why}.
RETIRED_ERROR_CODES = {
    "SESSION_FULL": "Never returned: a full session takes new parties on its waitlist "
    "(`waitlisted: true`).",
}
BookingErrorCode = graphene.Enum.from_enum(
    StrEnum(
        "BookingErrorCode",
        [(code.name, code.value) for code in DomainErrorCode]
        + [(code, code) for code in RETIRED_ERROR_CODES],
    ),
    name="BookingErrorCode",
    deprecation_reason=lambda code: RETIRED_ERROR_CODES.get(code.name),
)


class BookingError(graphene.ObjectType):
    """An expected failure: nothing was changed."""

    field = graphene.String(description="The input field at fault, if one is.")
    code = graphene.Field(BookingErrorCode, required=True)
    message = graphene.String(required=True, description="For people, in Russian.")


Audience = enum_from_choices("Audience", models.Audience.choices)
SessionStatus = enum_from_choices("SessionStatus", models.TourSession.Status.choices)
RegistrationStatus = enum_from_choices("RegistrationStatus", models.Registration.Status.choices)


@live  # seats change with every booking: never cached on the server
@type_loads(needs=["enterprise"])  # titles, age limits and booking rules fall back to it
class TourSession(DjangoObjectType):
    """One dated excursion (or master class, quiz…) at an enterprise."""

    enterprise = loads(
        graphene.Field("graphql_schema.enterprises.types.Enterprise", required=True),
        # Its own relations load once for the whole list, never per session.
        prefetch=[published_enterprises("enterprise")],
    )
    format = loads(graphene.Field(EventFormat, required=True), select=["event_format"])
    season = loads(graphene.Field(Season), select=["season"])
    # An untitled session is named by its format at its enterprise.
    title = loads(graphene.String(required=True), select=["event_format"], needs=["enterprise"])
    status = graphene.Field(SessionStatus, required=True)
    seats_left = graphene.Int(required=True)
    min_age = graphene.Int(description="The session's own, else the enterprise's; null: any.")
    audiences = BoundedList(Audience, max_items=len(models.Audience.choices))
    registration_open = graphene.Boolean(required=True)
    registration_closes_at = graphene.DateTime(required=True)
    waitlist_open = graphene.Boolean(
        required=True, description="Registration is open but the seats are taken: new parties wait."
    )
    required_task = loads(
        graphene.Field(
            "graphql_schema.quests.types.Task",
            description="Registration opens only to participants who completed this task "
            "(with the same e-mail); null: open to all.",
        ),
        prefetch=[related("gate__task", "graphql_schema.quests.types.Task", Task.objects.all)],
    )

    class Meta:
        model = models.TourSession
        fields = [
            "id",
            "description",
            "starts_at",
            "ends_at",
            "capacity",
            "max_party_size",
            "meeting_point",
            "stream_url",
            "id_document_required",
            "cancellation_reason",
        ]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_format(session, info):
        return session.event_format

    @staticmethod
    def resolve_title(session, info):
        return session.display_title

    @staticmethod
    def resolve_status(session, info):
        return str(session.status)

    @staticmethod
    def resolve_seats_left(session, info):
        return session.seats_left()

    @staticmethod
    def resolve_min_age(session, info):
        return session.effective_min_age

    @staticmethod
    def resolve_audiences(session, info):
        return session.audiences

    @staticmethod
    def resolve_registration_open(session, info):
        return session.is_registration_open()

    @staticmethod
    def resolve_registration_closes_at(session, info):
        return session.registration_closes_at

    @staticmethod
    def resolve_waitlist_open(session, info):
        return session.is_waitlist_open()

    @staticmethod
    def resolve_required_task(session, info):
        try:
            return session.gate.task
        except ObjectDoesNotExist:
            return None


class RegistrationReceipt(graphene.ObjectType):
    """What registering tells the client: no personal data (that comes only with the token)."""

    status = graphene.Field(RegistrationStatus, required=True)
    seats = graphene.Int(required=True)
    hold_expires_at = graphene.DateTime(
        description="Confirm from the e-mail before this, or the seats go to others."
    )
    session = graphene.Field(TourSession, required=True)

    @staticmethod
    def resolve_status(registration, info):
        return str(registration.status)  # a TextChoices member until reloaded

    @staticmethod
    def resolve_session(registration, info):
        return registration.session


@private  # one visitor's personal data
class Registration(DjangoObjectType):
    """A visitor's own registration, readable only with its token."""

    status = graphene.Field(RegistrationStatus, required=True)
    session = graphene.Field(TourSession, required=True)
    waitlist_position = graphene.Int(description="1 for the next party to get seats.")
    can_cancel = graphene.Boolean(required=True)

    class Meta:
        model = models.Registration
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "seats",
            "hold_expires_at",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ]

    @staticmethod
    def resolve_status(registration, info):
        return str(registration.status)  # a TextChoices member until reloaded

    @staticmethod
    def resolve_waitlist_position(registration, info):
        return registration.waitlist_position()

    @staticmethod
    def resolve_can_cancel(registration, info):
        return registration.can_be_cancelled()
