"""GraphQL errors that clients can act on: a machine-readable code and a Russian message."""

from graphql import GraphQLError


class InvalidInput(GraphQLError):
    """Bad arguments (page size, filters, search text): the request changes nothing."""

    def __init__(self, message: str, field: str | None = None):
        extensions = {"code": "INVALID_INPUT"}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)
