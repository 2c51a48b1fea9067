"""Booking mutations: expected failures come back as ``errors``, never as GraphQL errors."""

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError

from booking import services
from booking.errors import BookingErrorCode as Code
from booking.errors import booking_error
from graphql_schema.booking.types import BookingError, Registration, RegistrationReceipt
from graphql_schema.core.errors import payload_errors
from graphql_schema.core.inputs import parse_id
from graphql_schema.core.lists import BoundedList


def client_ip(request) -> str | None:
    """The visitor's address; behind a proxy, the last hop it added to X-Forwarded-For."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def errors_from(error: ValidationError) -> list[BookingError]:
    """Turn a domain ValidationError into the payload's error list."""
    return payload_errors(error, BookingError, Code)


class BookingMutation(graphene.Mutation):
    """Runs ``perform``; a ValidationError becomes ``errors`` and changes nothing."""

    errors = BoundedList(BookingError, max_items=20)

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **kwargs):
        try:
            return cls.perform(info, **kwargs)
        except ValidationError as error:
            return cls(errors=errors_from(error))

    @classmethod
    def perform(cls, info, **kwargs):
        raise NotImplementedError


class RegisterForSessionInput(graphene.InputObjectType):
    session_id = graphene.ID(required=True)
    name = graphene.String(required=True, description="First and last name.")
    email = graphene.String(required=True)
    phone = graphene.String(required=True, description="A Russian number, +7…")
    seats = graphene.Int(required=True, description="The whole party; it is never split.")
    consent_to_processing = graphene.Boolean(
        required=True, description="Consent to processing personal data (152-FZ)."
    )
    consent_to_transfer = graphene.Boolean(
        required=True, description="Consent to passing the data to the host enterprise."
    )
    youngest_participant_age = graphene.Int(
        description="Required when the session has a minimum age."
    )


class RegisterForSession(BookingMutation):
    """Hold seats (confirm from the e-mail) or join the waitlist when the session is full."""

    class Arguments:
        input = RegisterForSessionInput(required=True)

    registration = graphene.Field(RegistrationReceipt)
    waitlisted = graphene.Boolean(required=True)

    @classmethod
    def perform(cls, info, input):
        ip = client_ip(info.context)
        services.check_rate_limit("register", ip)
        session_id = parse_id(input.session_id)
        if session_id is None:
            raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id")
        outcome = services.register(
            services.RegistrationRequest(
                session_id=session_id,
                name=input.name,
                email=input.email,
                phone=input.phone,
                seats=input.seats,
                consent_to_processing=input.consent_to_processing,
                consent_to_transfer=input.consent_to_transfer,
                youngest_participant_age=input.youngest_participant_age,
                ip_address=ip,
            )
        )
        receipt = outcome.receipt  # the same for a known e-mail as for a new one
        return cls(
            registration=receipt,
            waitlisted=receipt.status == receipt.Status.WAITLISTED,
            errors=[],
        )

    def resolve_waitlisted(self, info):
        return bool(self.waitlisted)


class TokenMutation(BookingMutation):
    class Arguments:
        token = graphene.String(required=True, description="From the e-mail link.")

    registration = graphene.Field(Registration)

    class Meta:
        abstract = True

    service = None

    @classmethod
    def perform(cls, info, token):
        services.check_rate_limit("token", client_ip(info.context))
        return cls(registration=cls.service(token), errors=[])


class ConfirmRegistration(TokenMutation):
    """Confirm held seats; the confirmation e-mail brings the details and an .ics file."""

    service = staticmethod(services.confirm)


class CancelRegistration(TokenMutation):
    """Cancel; the seats go to the first waitlisted party that fits."""

    service = staticmethod(services.cancel)


class ResendRegistrationEmail(BookingMutation):
    """Send the registration's letter again with a new link (the old link stops working).

    The answer is the same whether or not the e-mail has a registration for the session;
    a letter goes out at most once per few minutes per registration.
    """

    class Arguments:
        session_id = graphene.ID(required=True)
        email = graphene.String(required=True)

    accepted = graphene.Boolean(
        required=True, description="True: if the e-mail has a registration, a letter is on its way."
    )

    @classmethod
    def perform(cls, info, session_id, email):
        services.check_rate_limit("resend", client_ip(info.context))
        parsed = parse_id(session_id)
        if parsed is None:
            raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id")
        services.resend_letter(parsed, email)
        return cls(accepted=True, errors=[])

    def resolve_accepted(self, info):
        return bool(self.accepted)


class BookingMutations(graphene.ObjectType):
    register_for_session = RegisterForSession.Field()
    resend_registration_email = ResendRegistrationEmail.Field()
    confirm_registration = ConfirmRegistration.Field()
    cancel_registration = CancelRegistration.Field()
