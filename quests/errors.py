"""Why a game request was refused: codes clients switch on, messages people read."""

from enum import StrEnum

from django.core.exceptions import ValidationError


class QuestErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TOKEN = "INVALID_TOKEN"
    RATE_LIMITED = "RATE_LIMITED"
    BUSY = "BUSY"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    NOT_ENOUGH_POINTS = "NOT_ENOUGH_POINTS"
    ALREADY_CLAIMED = "ALREADY_CLAIMED"
    NICKNAME_TAKEN = "NICKNAME_TAKEN"
    INVALID_STATUS = "INVALID_STATUS"


def quest_error(code: QuestErrorCode, message: str, field: str | None = None):
    """A ValidationError carrying a game error code, for one input or the whole request."""
    error = ValidationError(message, code=code.value)
    return ValidationError({field: [error]}) if field else error
