"""The public GraphQL endpoint: anonymous, limited, GET answers cached, unexpected errors masked."""

import json
import logging
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules

from graphql_schema import caching
from graphql_schema.validation import Limits, check_limits

logger = logging.getLogger("graphql_schema")

MASKED_MESSAGE = "Внутренняя ошибка сервера. Мы уже знаем о ней."
SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def validation_rules() -> tuple:
    """graphql-core's standard rules, plus introspection's switch; never fewer."""
    if settings.GRAPHQL_INTROSPECTION:
        return tuple(specified_rules)
    return (*specified_rules, NoSchemaIntrospectionCustomRule)


def limits() -> Limits:
    return Limits(
        max_depth=settings.GRAPHQL_MAX_DEPTH,
        max_fields=settings.GRAPHQL_MAX_FIELDS,
        max_cost=settings.GRAPHQL_MAX_COST,
        max_aliases=settings.GRAPHQL_MAX_ALIASES,
        page_size=settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"],
    )


def add_cors_headers(request, response) -> None:
    """Let the front end's browsers call the API (GRAPHQL_CORS_ALLOWED_ORIGINS)."""
    origin = request.headers.get("Origin")
    allowed = settings.GRAPHQL_CORS_ALLOWED_ORIGINS
    if not origin or ("*" not in allowed and origin not in allowed):
        return
    response["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    patch_vary_headers(response, ["Origin"])


def bad_request(message: str) -> HttpError:
    return HttpError(HttpResponseBadRequest(message))


class PublicGraphQLView(GraphQLView):
    """GraphQL over GET (queries) and POST, never batched, never acting as a logged-in user."""

    graphiql = True  # shown only when GRAPHIQL_ENABLED, see can_display_graphiql
    batch = False

    def dispatch(self, request, *args, **kwargs):
        # Every request is anonymous: an editor's admin session cookie gives a browser
        # no extra power here, so cross-site requests gain nothing.
        request.user = AnonymousUser()
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)  # a browser's CORS preflight
        else:
            response = super().dispatch(request, *args, **kwargs)
            if request.method == "GET":
                # Cache-Control and ETag (a 304 when the client has this answer already).
                response = caching.finish_response(request, response)
        add_cors_headers(request, response)
        return response

    def json_encode(self, request, d, pretty=False):
        # UTF-8 instead of \u escapes: Russian text is a third of the size on the wire.
        if pretty or self.pretty or request.GET.get("pretty"):
            return json.dumps(d, ensure_ascii=False, sort_keys=True, indent=2)
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def can_display_graphiql(cls, request, data):
        return settings.GRAPHIQL_ENABLED and super().can_display_graphiql(request, data)

    def parse_body(self, request):
        if len(request.body) > settings.GRAPHQL_MAX_QUERY_BYTES * 4:
            raise bad_request("Тело запроса слишком большое.")
        if (
            self.get_content_type(request) == "application/json"
            and request.body.lstrip()[:1] == b"["
        ):
            raise bad_request("Пакетные запросы (batching) не поддерживаются.")
        return super().parse_body(request)

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if not query:
            if show_graphiql:
                return None
            raise bad_request("Не передан запрос (query).")
        if not isinstance(query, str):
            raise bad_request("Запрос (query) должен быть строкой.")
        if variables is not None and not isinstance(variables, dict):
            raise bad_request("Переменные (variables) должны быть объектом.")
        if len(query.encode()) > settings.GRAPHQL_MAX_QUERY_BYTES:
            return ExecutionResult(
                errors=[
                    GraphQLError(
                        f"Запрос длиннее {settings.GRAPHQL_MAX_QUERY_BYTES} байт.",
                        extensions={"code": "QUERY_TOO_LARGE"},
                    )
                ]
            )
        try:
            document = parse(query, max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS)
        except GraphQLError as error:
            return ExecutionResult(errors=[error])

        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None:
            if operation.operation != OperationType.QUERY:
                if show_graphiql:
                    return None
                raise HttpError(self._method_not_allowed())

        # Our limits run second, on documents the standard rules accept (known, acyclic
        # fragments), so a malformed document cannot trip them up.
        schema = self.schema.graphql_schema
        errors = validate(schema, document, validation_rules()) or check_limits(
            schema, document, limits()
        )
        if errors:
            return ExecutionResult(errors=errors)
        if request.method != "GET":
            return self._execute(request, document, variables, operation_name, operation)
        # Only GET queries are cached, and only after validation: the document is sound.
        return caching.execute_get(
            request,
            schema,
            document,
            query,
            variables,
            operation_name,
            lambda: self._execute(request, document, variables, operation_name, operation),
        )

    def _method_not_allowed(self):
        return HttpResponseNotAllowed(["POST"], "Изменения принимаются только методом POST.")

    def _execute(self, request, document, variables, operation_name, operation):
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        try:
            if operation is not None and operation.operation == OperationType.MUTATION:
                with transaction.atomic():
                    return execute(self.schema.graphql_schema, document, **options)
            return execute(self.schema.graphql_schema, document, **options)
        except Exception as error:  # noqa: BLE001 - reported masked, logged in full
            return ExecutionResult(errors=[GraphQLError(str(error), original_error=error)])

    def format_error(self, error):
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError):
                logger.error("Unexpected error in GraphQL", exc_info=original)
                formatted = error.formatted
                formatted["message"] = MASKED_MESSAGE
                formatted["extensions"] = {"code": "INTERNAL_ERROR"}
                return formatted
            formatted = error.formatted
            if not settings.GRAPHQL_INTROSPECTION:
                # Suggestions would reveal the schema that introspection hides.
                formatted["message"] = SUGGESTION.sub("", formatted["message"])
            return formatted
        return super().format_error(error)


graphql_view = csrf_exempt(PublicGraphQLView.as_view())
