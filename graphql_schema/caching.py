"""Caching of GraphQL GET queries: on the server for content, in browsers and CDNs by ETag.

Each validated GET document gets the strictest policy of the types, fields and
arguments it touches, as they declare it (``graphql_schema.core.policy``):

- ``PRIVATE``: it reads a token holder's data (``registration``, ``preview``). Answered
  with ``Cache-Control: private, no-store`` and never stored anywhere.
- ``LIVE``: it reads booking data (sessions, seats left, "has upcoming sessions"), which
  must be live. Never stored on the server; answered with an ETag and ``no-cache``.
- ``CONTENT``: everything else. Kept, encoded, in the ``graphql_responses`` cache (a
  byte budget per entry and in all) for ``GRAPHQL_RESPONSE_CACHE_SECONDS`` under a key
  that includes the content generation (``changes.content``), so a publish makes every
  earlier entry unreachable; answered with an ETag and
  ``public, max-age=GRAPHQL_HTTP_MAX_AGE, must-revalidate``.

Answers with errors are never stored, and tell caches not to store them either. POSTs
never come here.

While the shared cache (Redis) is unreachable, content queries are answered from the
database, uncached, with a warning in the log: the response cache only saves work. What
cannot go without the cache (rate limits) raises one of ``CACHE_UNAVAILABLE_ERRORS``,
which the view answers with 503.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from graphql import (
    BREAK,
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)

from changes.content import content_generation, seconds_until_time_changes_content
from graphql_schema.core.policy import Policy, SchemaPolicies, schema_policies

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # no redis client installed: no Redis cache either
    CACHE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = ()
else:
    # The cache server is down, unreachable or hung (socket_timeout); not a bug of ours.
    CACHE_UNAVAILABLE_ERRORS = (RedisConnectionError, RedisTimeoutError)

logger = logging.getLogger(__name__)

STATE_ATTRIBUTE = "_graphql_cache_state"


@dataclass
class CacheState:
    """What the view learnt about a GET request, for its response headers."""

    policy: Policy
    ok: bool = False  # executed (or found in the cache) without errors
    key: str | None = None  # where the answer is stored, when it may be
    hit: bool = False


@dataclass(frozen=True)
class CachedAnswer:
    """The encoded answer found in the response cache: sent as it is, no JSON work."""

    content: bytes


def policy_for(schema: GraphQLSchema, document: DocumentNode) -> Policy:
    """The caching policy of a validated ``document`` (all its operations and fragments)."""
    type_info = TypeInfo(schema)
    visitor = _PolicyVisitor(type_info, schema_policies(schema))
    visit(document, TypeInfoVisitor(type_info, visitor))
    return visitor.policy


class _PolicyVisitor(Visitor):
    def __init__(self, type_info: TypeInfo, policies: SchemaPolicies):
        super().__init__()
        self.type_info = type_info
        self.policies = policies
        self.policy = Policy.CONTENT
        self.field: tuple[str, str] | None = None

    def _raise_to(self, policy: Policy):
        self.policy = max(self.policy, policy)
        return BREAK if self.policy is Policy.PRIVATE else None  # nothing is stricter

    def enter_field(self, node, *_):
        parent = self.type_info.get_parent_type()
        if parent is None:
            return None
        # A field's arguments are visited right after it, before its selection.
        self.field = (parent.name, node.name.value)
        policy = max(
            self.policies.types.get(parent.name, Policy.CONTENT),
            self.policies.fields.get(self.field, Policy.CONTENT),
        )
        return self._raise_to(policy)

    def enter_argument(self, node, *_):
        if self.field is None:  # a directive's argument
            return None
        key = (*self.field, node.name.value)
        return self._raise_to(self.policies.arguments.get(key, Policy.CONTENT))

    def leave_field(self, node, *_):
        self.field = None


def cache_key(request, query: str, variables, operation_name, version: str) -> str:
    """The response cache's key: the request's query, variables, operation and host, plus
    the language, under the content generation."""
    material = json.dumps(
        [
            query,
            variables,
            operation_name,
            request.build_absolute_uri("/"),  # media URLs are absolute, pages per site
            translation.get_language(),
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return f"graphql:response:v{version}:{hashlib.sha256(material.encode()).hexdigest()}"


def execute_get(
    request,
    schema: GraphQLSchema,
    document: DocumentNode,
    query: str,
    variables,
    operation_name,
    execute: Callable[[], ExecutionResult],
) -> ExecutionResult | CachedAnswer:
    """Answer a validated GET document, from the response cache when its policy allows.

    Records the policy on the request for ``finish_response``.
    """
    state = CacheState(policy_for(schema, document))
    setattr(request, STATE_ATTRIBUTE, state)
    if state.policy is Policy.CONTENT and settings.GRAPHQL_RESPONSE_CACHE_SECONDS > 0:
        # The version is read before executing: a change committed meanwhile renews it
        # after its commit, so an entry stored under this version is never older than it.
        try:
            version = content_generation()
        except CACHE_UNAVAILABLE_ERRORS as error:
            _unavailable(error)
        else:
            state.key = cache_key(request, query, variables, operation_name, version)
            content = _cache_get(state)
            if isinstance(content, bytes):
                state.ok = state.hit = True
                return CachedAnswer(content)
    result = execute()
    state.ok = not result.errors
    return result


def response_cache():
    return caches["graphql_responses"]


def _unavailable(error: Exception) -> None:
    logger.warning("GraphQL response cache unreachable, answering from the database: %s", error)


def _cache_get(state: CacheState):
    try:
        return response_cache().get(state.key)
    except CACHE_UNAVAILABLE_ERRORS as error:
        _unavailable(error)
        state.key = None  # nor wait for it again to store the answer
    except Exception:
        logger.exception("GraphQL response cache failed")  # answer without it
    return None


def _store(key: str, content: bytes) -> None:
    """Keep an encoded answer, unless it is larger than an entry may be."""
    if len(content) > settings.GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES:
        return
    # No signal tells of an expiry date passing: the entry must be gone by then.
    timeout = min(settings.GRAPHQL_RESPONSE_CACHE_SECONDS, seconds_until_time_changes_content())
    if timeout < 1:
        return
    try:
        response_cache().set(key, content, int(timeout))
    except CACHE_UNAVAILABLE_ERRORS as error:
        logger.warning("GraphQL response cache unreachable, answer not stored: %s", error)
    except Exception:
        logger.exception("GraphQL response cache failed")


def etag(content: bytes) -> str:
    """A strong ETag: the body's hash."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _drop_csrf_cookie(response) -> None:
    """Answers that caches share must neither set cookies nor vary by them. graphene-django's
    view sets the CSRF cookie (``ensure_csrf_cookie``), which this endpoint never reads."""
    response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    if response.has_header("Vary"):
        kept = [v for v in cc_delim_re.split(response["Vary"]) if v.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


def finish_response(request, response):
    """Caching headers for the answer to a GET; a 304 when ``If-None-Match`` matches."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return response  # GraphiQL's page
    _drop_csrf_cookie(response)
    # Access-Control-Allow-Origin depends on Origin, also when a request has none.
    patch_vary_headers(response, ["Origin"])
    state = getattr(request, STATE_ATTRIBUTE, None)
    if state is None or not state.ok or response.status_code != 200:
        patch_cache_control(response, no_store=True)  # errors are never cached
        return response
    if state.policy is Policy.PRIVATE:
        patch_cache_control(response, private=True, no_store=True)
        return response
    if state.policy is Policy.LIVE:
        patch_cache_control(response, no_cache=True)
    else:
        patch_cache_control(
            response, public=True, max_age=settings.GRAPHQL_HTTP_MAX_AGE, must_revalidate=True
        )
    if state.key is not None and not state.hit:
        _store(state.key, response.content)
    response["ETag"] = etag(response.content)
    return get_conditional_response(request, etag=response["ETag"], response=response)
