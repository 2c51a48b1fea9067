"""Why a booking request was refused: codes clients switch on, messages people read."""

from enum import StrEnum

from django.core.exceptions import ValidationError


class BookingErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    SESSION_CANCELLED = "SESSION_CANCELLED"
    REGISTRATION_CLOSED = "REGISTRATION_CLOSED"
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    LIMIT_REACHED = "LIMIT_REACHED"
    PARTY_TOO_LARGE = "PARTY_TOO_LARGE"
    AGE_RESTRICTED = "AGE_RESTRICTED"
    HOLD_EXPIRED = "HOLD_EXPIRED"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_STATUS = "INVALID_STATUS"
    RATE_LIMITED = "RATE_LIMITED"
    BUSY = "BUSY"
    TASK_REQUIRED = "TASK_REQUIRED"


def booking_error(code: BookingErrorCode, message: str, field: str | None = None):
    """A ValidationError carrying a booking error code, for one field or the whole request.

    ``field`` is the Python name of the input (``session_id``); the GraphQL layer turns
    it into the client's name (``sessionId``).
    """
    error = ValidationError(message, code=code.value)
    return ValidationError({field: [error]}) if field else error
