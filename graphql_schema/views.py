"""The public GraphQL endpoint: anonymous, limited, GET answers cached, unexpected errors masked.

HTTP status codes tell monitoring and proxies who is at fault: 400 for a request the
server refuses, 415 for a body it does not take, 500 for a server error (masked), 503
with ``Retry-After`` while the database or the shared cache (Redis) is unreachable.
"""

import json
import logging
import re

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError, set_rollback
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast

from graphql_schema import caching, persisted
from graphql_schema.core.errors import InvalidInput
from graphql_schema.core.inputs import check_variables
from graphql_schema.deadline import DeadlineExceeded, request_deadline
from graphql_schema.documents import limits, prepare
from graphql_schema.execution import SyncExecutionContext
from pages.visibility import one_view_of_restrictions

logger = logging.getLogger("graphql_schema")

COST_ATTRIBUTE = "_graphql_cost"
MASKED_MESSAGE = "Внутренняя ошибка сервера. Мы уже знаем о ней."
SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def add_cors_headers(request, response) -> None:
    """Let the front end's browsers call the API (GRAPHQL_CORS_ALLOWED_ORIGINS)."""
    origin = request.META.get("HTTP_ORIGIN")
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


# Bodies of these types are read; anything else is refused. Form encodings would let a
# cross-site form post a mutation without the browser's CORS preflight.
ACCEPTED_CONTENT_TYPES = ("application/json", "application/graphql")
# PostgreSQL's query_canceled: the statement_timeout ended a query.
QUERY_CANCELED = "57014"
# While the database or the cache is unreachable (503).
RETRY_AFTER_SECONDS = 5


def _json_loads(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise bad_request("JSON вложен слишком глубоко.") from None
    except ValueError:
        raise bad_request("Тело запроса — не JSON.") from None


def _classify(original: BaseException) -> str | None:
    """The error code for a failure outside GraphQL's own errors, or None if unexpected."""
    if isinstance(original, DeadlineExceeded):
        return "TIME_LIMIT_EXCEEDED"
    if isinstance(original, OperationalError | InterfaceError):
        cause = getattr(original, "__cause__", None)
        if getattr(cause, "sqlstate", None) == QUERY_CANCELED:
            return "TIME_LIMIT_EXCEEDED"
        return "SERVICE_UNAVAILABLE"
    # Redis down or hung: rate limits cannot be counted (they never fail open).
    if isinstance(original, caching.CACHE_UNAVAILABLE_ERRORS):
        return "SERVICE_UNAVAILABLE"
    return None


TIME_LIMIT_MESSAGE = "Запрос выполнялся слишком долго и был остановлен. Упростите его."
UNAVAILABLE_MESSAGE = "Сервис временно недоступен. Повторите запрос через несколько секунд."


class PublicGraphQLView(GraphQLView):
    """GraphQL over GET (queries) and POST, never batched, never acting as a logged-in user."""

    graphiql = True  # shown only when GRAPHIQL_ENABLED, see can_display_graphiql
    # graphene-django's page, but its scripts and styles from our static files, not a CDN.
    graphiql_template = "graphql_schema/graphiql.html"
    batch = False

    def dispatch(self, request, *args, **kwargs):
        # Every request is anonymous: an editor's admin session cookie gives a browser
        # no extra power here, so cross-site requests gain nothing.
        request.user = AnonymousUser()
        # Stored answers to GETs never come here: CachedAnswerMiddleware serves them.
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)  # a browser's CORS preflight
        else:
            response = super().dispatch(request, *args, **kwargs)
            if request.method == "GET":
                # Cache-Control and ETag (a 304 when the client has this answer already).
                response = caching.finish_response(request, response)
        if response.status_code == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
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
        """The request's body as a dict: JSON or a GraphQL document, nothing else.

        A GET's body is never read: the URL alone decides the answer a cache stores.
        """
        if request.method != "POST":
            return {}
        if len(request.body) > settings.GRAPHQL_MAX_QUERY_BYTES * 4:
            raise bad_request("Тело запроса слишком большое.")
        content_type = self.get_content_type(request)
        if content_type not in ACCEPTED_CONTENT_TYPES:
            raise HttpError(
                HttpResponse(
                    "Тело запроса принимается только как application/json или application/graphql.",
                    status=415,
                )
            )
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request("Тело запроса — не UTF-8.") from None
        if content_type == "application/graphql":
            return {"query": text}
        if text.lstrip()[:1] == "[":
            raise bad_request("Пакетные запросы (batching) не поддерживаются.")
        data = _json_loads(text)
        if not isinstance(data, dict):
            raise bad_request("Тело запроса должно быть JSON-объектом.")
        return data

    def get_graphql_params(self, request, data):
        """query, variables, operation name and extensions, each checked for its type."""
        query = request.GET.get("query") or data.get("query")
        extensions = request.GET.get("extensions")  # JSON in a URL, an object in a body
        extensions = _json_loads(extensions) if extensions else data.get("extensions")
        variables = request.GET.get("variables") or data.get("variables")
        operation_name = request.GET.get("operationName") or data.get("operationName")
        if isinstance(variables, str):
            variables = _json_loads(variables)
        if operation_name in ("null", ""):
            operation_name = None
        if operation_name is not None and not isinstance(operation_name, str):
            raise bad_request("Имя операции (operationName) должно быть строкой.")
        return query, variables, operation_name, extensions

    def get_response(self, request, data, show_graphiql=False):
        """The JSON answer and its status; the status says whose fault an error is."""
        query, variables, operation_name, extensions = self.get_graphql_params(request, data)
        try:
            result = self.execute_graphql_request(
                request, data, query, variables, operation_name, show_graphiql, extensions
            )
        except (OperationalError, InterfaceError, *caching.CACHE_UNAVAILABLE_ERRORS) as error:
            # Outside any resolver (the cache's content version, a lock): the same answers.
            result = ExecutionResult(errors=[GraphQLError(str(error), original_error=error)])
        if result is None:
            return None, 200
        response = {}
        status = 200
        if result.errors:
            set_rollback()
            codes = {self._code(error) for error in result.errors}
            if "SERVICE_UNAVAILABLE" in codes:
                status = 503
            elif "TIME_LIMIT_EXCEEDED" in codes:
                status = 400
            elif "INTERNAL_ERROR" in codes:
                status = 500
            if status != 200:
                # One clear error instead of one per field the failure cut short.
                first = next(e for e in result.errors if self._code(e) in codes - {None})
                result = ExecutionResult(errors=[first])
            response["errors"] = [self.format_error(error) for error in result.errors]
            if status == 200 and any(not getattr(e, "path", None) for e in result.errors):
                status = 400  # refused before execution: validation, limits, input
        if status == 200:
            response["data"] = result.data
        cost = getattr(request, COST_ATTRIBUTE, None)
        if cost is not None:
            response["extensions"] = {"cost": cost}
        encoded = self.json_encode(request, response, pretty=show_graphiql)
        if len(encoded) > settings.GRAPHQL_MAX_RESPONSE_BYTES:
            set_rollback()
            error = GraphQLError(
                f"Ответ больше {settings.GRAPHQL_MAX_RESPONSE_BYTES} байт: запросите меньше "
                "полей или элементов.",
                extensions={"code": "RESPONSE_TOO_LARGE"},
            )
            encoded = self.json_encode(request, {"errors": [error.formatted]})
            status = 400
        return encoded, status

    @staticmethod
    def _code(error) -> str | None:
        original = getattr(error, "original_error", None)
        if original is None or isinstance(original, GraphQLError):
            return None
        return _classify(original) or "INTERNAL_ERROR"

    def execute_graphql_request(
        self,
        request,
        data,
        query,
        variables,
        operation_name,
        show_graphiql=False,
        extensions=None,
    ):
        if query is not None and not isinstance(query, str):
            raise bad_request("Запрос (query) должен быть строкой.")
        try:
            to_run = persisted.query_to_run(query, extensions)
        except persisted.PersistedQueryError as refused:
            return ExecutionResult(errors=[refused.error])
        if to_run is None:
            if show_graphiql:
                return None
            raise bad_request("Не передан запрос (query).")
        if variables is not None and not isinstance(variables, dict):
            raise bad_request("Переменные (variables) должны быть объектом.")
        try:
            check_variables(variables)
        except InvalidInput as error:
            return ExecutionResult(errors=[error])
        schema = self.schema.graphql_schema
        prepared = prepare(schema, to_run.text)
        if prepared.cost is not None:
            # Reported to clients (extensions.cost), as Saleor does, so they see their headroom.
            setattr(
                request, COST_ATTRIBUTE, {"requested": prepared.cost, "limit": limits().max_cost}
            )
        document = prepared.document
        operation = get_operation_ast(document, operation_name) if document else None
        if request.method == "GET" and operation is not None:
            if operation.operation != OperationType.QUERY:
                if show_graphiql:
                    return None
                raise HttpError(self._method_not_allowed())
        if not prepared.ok:
            return ExecutionResult(errors=list(prepared.errors))
        persisted.register(to_run)  # valid: hash-only requests may now name it

        def run():
            return self._execute(request, document, variables, operation_name, operation)

        if request.method != "GET":
            return run()
        # Only GET queries are cached, and only after validation: the document is sound.
        return caching.execute_get(request, prepared.policy, run)

    def _method_not_allowed(self):
        return HttpResponseNotAllowed(["POST"], "Изменения принимаются только методом POST.")

    def _execute(self, request, document, variables, operation_name, operation):
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
            "execution_context_class": SyncExecutionContext,
        }
        try:
            if operation is not None and operation.operation == OperationType.MUTATION:
                # Bounded by the session lock's timeout (BUSY) and statement_timeout, not
                # by the read budget: a registration may wait its turn for the lock.
                with transaction.atomic():
                    return execute(self.schema.graphql_schema, document, **options)
            with (
                request_deadline(settings.GRAPHQL_TIME_BUDGET_SECONDS),
                one_view_of_restrictions(),
            ):
                return execute(self.schema.graphql_schema, document, **options)
        except Exception as error:  # noqa: BLE001 - reported masked, logged in full
            return ExecutionResult(errors=[GraphQLError(str(error), original_error=error)])

    def format_error(self, error):
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError):
                code = _classify(original)
                formatted = error.formatted
                if code == "TIME_LIMIT_EXCEEDED":
                    logger.warning("GraphQL request stopped by the time budget: %s", original)
                    formatted["message"] = TIME_LIMIT_MESSAGE
                elif code == "SERVICE_UNAVAILABLE":
                    cache = isinstance(original, caching.CACHE_UNAVAILABLE_ERRORS)
                    logger.error(
                        "%s unavailable during a GraphQL request: %s",
                        "Cache" if cache else "Database",
                        original,
                    )
                    formatted["message"] = UNAVAILABLE_MESSAGE
                else:
                    logger.error("Unexpected error in GraphQL", exc_info=original)
                    formatted["message"] = MASKED_MESSAGE
                formatted["extensions"] = {"code": code or "INTERNAL_ERROR"}
                return formatted
            formatted = error.formatted
            if not settings.GRAPHQL_INTROSPECTION:
                # Suggestions would reveal the schema that introspection hides.
                formatted["message"] = SUGGESTION.sub("", formatted["message"])
            return formatted
        return super().format_error(error)


# GraphiQL's page loads every file from this site. Its stylesheet embeds its fonts as
# data: URLs, which the site-wide policy (font-src falls back to default-src 'self') refuses.
graphql_view = csrf_exempt(
    csp_update({"font-src": ["'self'", "data:"]})(PublicGraphQLView.as_view())
)
