"""GraphQL errors that clients can act on: a machine-readable code and a Russian message."""

from enum import StrEnum

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError


class InvalidInput(GraphQLError):
    """Bad arguments (page size, filters, search text): the request changes nothing."""

    def __init__(self, message: str, field: str | None = None):
        extensions = {"code": "INVALID_INPUT"}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


def payload_errors(error: ValidationError, error_type, codes: type[StrEnum]) -> list:
    """A domain's ValidationError as a mutation payload's ``errors``: one ``error_type``
    (field, code, message) per message, the field in the client's camelCase, a code the
    domain does not know as INVALID_INPUT."""
    if hasattr(error, "error_dict"):
        pairs = [(field, item) for field, items in error.error_dict.items() for item in items]
    else:
        pairs = [(None, item) for item in error.error_list]
    return [
        error_type(
            field=None if field in (None, NON_FIELD_ERRORS) else to_camel_case(field),
            code=item.code if item.code in codes.__members__ else codes.INVALID_INPUT,
            message=" ".join(item.messages),
        )
        for field, item in pairs
    ]
