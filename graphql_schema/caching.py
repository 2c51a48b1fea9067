"""Caching of GraphQL GET queries: on the server for content, in browsers and CDNs by ETag.

Each validated GET document gets the strictest policy of the types, fields and
arguments it touches, as they declare it (``graphql_schema.core.policy``):

- ``PRIVATE``: it reads a token holder's data (``registration``, ``preview``). Answered
  with ``Cache-Control: private, no-store`` and never stored anywhere.
- ``LIVE``: it reads booking data (sessions, seats left, "has upcoming sessions"), which
  must be live. Never stored on the server; answered with an ETag and ``no-cache``.
- ``CONTENT``: everything else. Kept, encoded, in the ``graphql_responses`` cache (a
  byte budget per entry and in all) for ``GRAPHQL_RESPONSE_CACHE_SECONDS`` together with
  the content generation it was computed at (``changes.content``): an entry of another
  generation is a miss, so a publish makes every earlier entry stale. With Redis the
  generation token is kept in the same cache and a hit costs one round trip (the token
  and the entry together) and no SQL. Answered with an ETag and
  ``public, max-age=GRAPHQL_HTTP_MAX_AGE, must-revalidate``.

Answers with errors are never stored, and tell caches not to store them either. POSTs
never come here.

A stored answer is served by ``graphql_schema.middleware.CachedAnswerMiddleware``
before the session, CSRF, authentication, messages and admin middleware, the URL
resolver and the view: none of them has anything to say about an anonymous GET the
cache already answered. The headers those layers gave the answer when it was computed
(its ``Content-Security-Policy``, ``X-Frame-Options``, ``Vary``, ``Cache-Control``) are
stored with it and replayed; what depends on the request (CORS, the 304) is worked out
per request.

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
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.http.request import TooManyFieldsSent
from django.utils import translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from graphql import ExecutionResult, GraphQLSchema

from changes.content import content_generation_with, seconds_until_time_changes_content
from graphql_schema.core.policy import Policy
from graphql_schema.documents import known_policy
from graphql_schema.persisted import (
    PersistedQueryError,
    allow_list_fingerprint,
    requested_hash,
    sha256_hex,
)

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
    generation: str | None = None  # the content generation the answer is computed at
    # (key, generation, tag, content) of an answer to store once the response is complete
    pending: tuple[str, str, str, bytes] | None = None


KEY_ATTRIBUTE = "_graphql_cache_key"  # (key, generation) found before executing
ETAG_SUFFIX = ":etag"  # the ETag is also stored on its own, for 304s
RESPONSES_ALIAS = "graphql_responses"


# Distinct GET URLs whose parameters are kept parsed: clients repeat the same few URLs.
PARSED_URLS = 512
# Longer query strings are parsed each time rather than kept.
MAX_KEPT_QUERY_STRING = 16 * 1024


@dataclass(frozen=True)
class LookupParameters:
    query: str
    variables: str
    operation_name: str
    extensions: str


def _read_lookup_parameters(params: QueryDict) -> LookupParameters:
    return LookupParameters(
        query=params.get("query") or "",
        variables=params.get("variables") or "",
        operation_name=params.get("operationName") or "",
        extensions=params.get("extensions") or "",
    )


@lru_cache(maxsize=PARSED_URLS)
def _parse_lookup_parameters(raw: bytes) -> LookupParameters | None:
    try:
        return _read_lookup_parameters(QueryDict(raw))
    except TooManyFieldsSent:
        return None  # the full path answers the error


def lookup_parameters(request) -> LookupParameters | None:
    """What a cache lookup reads from a GET's URL, as Django's ``request.GET`` would give
    it, parsed once per distinct URL: on a hit, building a QueryDict cost more than the
    rest of the lookup."""
    if request.encoding is not None:  # a custom encoding: Django's own parsing
        return _read_lookup_parameters(request.GET)
    raw = request.META.get("QUERY_STRING", "")
    if isinstance(raw, str):  # WSGI and ASGI give it decoded as ISO-8859-1
        raw = raw.encode("iso-8859-1", errors="replace")
    if len(raw) > MAX_KEPT_QUERY_STRING:
        return _parse_lookup_parameters.__wrapped__(raw)
    return _parse_lookup_parameters(raw)


def cache_key(request, query_sha256: str) -> str:
    """The response cache's key for a GET: the query (by its SHA-256, so a persisted
    query's hash and its text share answers), the variables and operation exactly as
    sent, the host and language, and the allow-list. The content generation is stored in
    the entry, not in the key: a newer answer replaces an older one in place."""
    params = lookup_parameters(request)
    return _key_of(
        query_sha256,
        params.variables,
        params.operation_name,
        # What build_absolute_uri("/") gives (media URLs are absolute, pages per site).
        f"{request.scheme}://{request.get_host()}/",
        translation.get_language(),
        allow_list_fingerprint(),
    )


@lru_cache(maxsize=PARSED_URLS)
def _key_of(*material: str) -> str:
    encoded = json.dumps(material, ensure_ascii=False).encode()
    return f"graphql:response:{hashlib.sha256(encoded).hexdigest()}"


def _requested_sha256(request, schema: GraphQLSchema) -> str | None:
    """The SHA-256 of the query a GET asks for, if its answer may be in the cache."""
    params = lookup_parameters(request)
    if params is None:
        return None
    query = params.query
    if query:
        if known_policy(schema, query) not in (None, Policy.CONTENT):
            return None  # prepared before: never stored, no need to look
        return sha256_hex(query)
    extensions = params.extensions
    if not extensions:
        return None
    try:
        return requested_hash(json.loads(extensions))
    except (ValueError, RecursionError, PersistedQueryError):
        return None  # the full path answers the error


def answer_from_cache(request, schema: GraphQLSchema):
    """The stored answer to a GET, looked up before any parsing; a 304 when the client
    has it already. None when it is not stored (the key is kept for storing it)."""
    if settings.GRAPHQL_RESPONSE_CACHE_SECONDS <= 0:
        return None
    query_sha256 = _requested_sha256(request, schema)
    if query_sha256 is None:
        return None
    key = cache_key(request, query_sha256)
    revalidating = bool(request.META.get("HTTP_IF_NONE_MATCH"))
    # The ETag alone is enough for a 304: the answer itself is fetched only without one.
    wanted = key + ETAG_SUFFIX if revalidating else key
    # The generation is read before executing: a change committed meanwhile renews it
    # after its commit, so an answer stored with this generation is never older than it.
    try:
        generation, found = content_generation_with(RESPONSES_ALIAS, [wanted])
    except CACHE_UNAVAILABLE_ERRORS as error:
        _unavailable(error)
        return None
    except Exception:
        logger.exception("GraphQL response cache failed")  # answer without it
        return None
    setattr(request, KEY_ATTRIBUTE, (key, generation))
    if revalidating:
        found_tag = _of_generation(found.get(wanted), generation, 2)
        if found_tag is not None:
            tag, headers = found_tag
            response = _replayed(request, b"", tag, headers)
            if response.status_code == 304:
                return response
        entry = _of_generation(_cache_get(request, key), generation, 3)
    else:
        entry = _of_generation(found.get(key), generation, 3)
    if entry is None:
        return None
    tag, content, headers = entry
    return _replayed(request, content, tag, headers)


# The request headers get_conditional_response reads.
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_MODIFIED_SINCE",
)


def _replayed(request, content: bytes, tag: str, headers: tuple) -> HttpResponse:
    """A stored answer with the headers it was first sent with; a 304 if the client's
    ``If-None-Match`` matches."""
    response = HttpResponse(content, content_type="application/json")
    for name, value in headers:
        response[name] = value
    response["ETag"] = tag
    response["Content-Length"] = str(len(content))
    if not any(header in request.META for header in CONDITIONAL_HEADERS):
        return response  # nothing to compare: Django's check would return it as it is
    return get_conditional_response(request, etag=tag, response=response)


def _of_generation(entry, generation: str, size: int) -> tuple | None:
    """An entry's values (after its generation) if it is of ``generation``, else None."""
    if isinstance(entry, tuple) and len(entry) == size + 1 and entry[0] == generation:
        return entry[1:]
    return None


def execute_get(request, policy: Policy, execute: Callable[[], ExecutionResult]) -> ExecutionResult:
    """Execute a validated GET document, recording its policy on the request for
    ``finish_response`` (which stores a content answer under the key found earlier)."""
    state = CacheState(policy)
    if policy is Policy.CONTENT:
        state.key, state.generation = getattr(request, KEY_ATTRIBUTE, None) or (None, None)
    setattr(request, STATE_ATTRIBUTE, state)
    result = execute()
    state.ok = not result.errors
    return result


def response_cache():
    return caches[RESPONSES_ALIAS]


def _unavailable(error: Exception) -> None:
    logger.warning("GraphQL response cache unreachable, answering from the database: %s", error)


def _cache_get(request, key: str):
    try:
        return response_cache().get(key)
    except CACHE_UNAVAILABLE_ERRORS as error:
        _unavailable(error)
        setattr(request, KEY_ATTRIBUTE, None)  # nor wait for it again to store the answer
    except Exception:
        logger.exception("GraphQL response cache failed")  # answer without it
    return None


# Headers not replayed from a stored answer: worked out for each response anew.
NOT_REPLAYED = ("content-length", "etag", "date", "set-cookie")


def replayed_headers(response) -> tuple[tuple[str, str], ...]:
    """The headers of a complete answer that a cached copy of it is sent with again."""
    return tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in NOT_REPLAYED and not name.lower().startswith("access-control-")
    )


def store_pending(request, response) -> None:
    """Store the answer ``finish_response`` found storable, with the headers the whole
    middleware stack gave it (called once the response is complete)."""
    state = getattr(request, STATE_ATTRIBUTE, None)
    if state is None or state.pending is None or response.status_code not in (200, 304):
        return
    key, generation, tag, content = state.pending
    state.pending = None
    headers = replayed_headers(response)
    if response.status_code == 304:
        # A client (a CDN revalidating) had it already; the next one may not. A 304 has
        # no Content-Type of its own.
        headers = (*headers, ("Content-Type", "application/json"))
    _store(key, generation, tag, content, headers)


def _store(key: str, generation: str, tag: str, content: bytes, headers: tuple) -> None:
    """Keep an encoded answer with its ETag, headers and generation, unless it is larger
    than an entry may be."""
    if len(content) > settings.GRAPHQL_RESPONSE_CACHE_MAX_ENTRY_BYTES:
        return
    try:
        # No signal tells of an expiry date passing: the entry must be gone by then (a
        # query; the answer is complete, so a failure here only leaves it unstored).
        timeout = min(settings.GRAPHQL_RESPONSE_CACHE_SECONDS, seconds_until_time_changes_content())
        if timeout < 1:
            return
        response_cache().set_many(
            {
                key: (generation, tag, content, headers),
                key + ETAG_SUFFIX: (generation, tag, headers),
            },
            int(timeout),
        )
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
    tag = etag(response.content)
    if state.key is not None:
        # Stored by the middleware once every layer has added its headers.
        state.pending = (state.key, state.generation, tag, response.content)
    response["ETag"] = tag
    return get_conditional_response(request, etag=tag, response=response)
