"""Persisted queries: Apollo's automatic persisted queries (APQ), and an optional allow-list.

A client sends ``extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}``
(in a GET, the ``extensions`` parameter as JSON). With the hash alone, a query the server
knows runs; an unknown hash answers ``PERSISTED_QUERY_NOT_FOUND`` (message
``PersistedQueryNotFound``, as Apollo's clients expect), and the client repeats the
request with the query text, which registers it. GET URLs stay short and the same for
every client, so CDNs can cache them.

With ``GRAPHQL_ALLOWED_QUERIES_FILE`` (an Apollo persisted-query manifest, as
``@apollo/generate-persisted-query-manifest`` writes it) only the listed queries run,
by hash or by their exact text; nothing new is registered.
"""

import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from graphql import GraphQLError

logger = logging.getLogger(__name__)

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
LOCAL_ENTRIES = 1000  # hash → text, per process, before asking the shared cache


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def not_found() -> GraphQLError:
    # Apollo's clients look for this message (older ones) or this code.
    return _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")


class PersistedQueryError(Exception):
    """The request's persisted-query part is refused; ``error`` says why."""

    def __init__(self, error: GraphQLError):
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class QueryText:
    """The query to run and its SHA-256, with whether it is new to this server."""

    text: str
    sha256: str
    register: bool = False  # sent with its hash and not yet known: keep it once valid


def requested_hash(extensions) -> str | None:
    """The persisted query's hash in ``extensions``, checked; None when there is none."""
    if extensions is None:
        return None
    if not isinstance(extensions, dict):
        raise PersistedQueryError(
            _error("Расширения (extensions) должны быть объектом.", "INVALID_INPUT")
        )
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            _error(
                "Поддерживается только persistedQuery версии 1.",
                "PERSISTED_QUERY_UNSUPPORTED_VERSION",
            )
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        raise PersistedQueryError(
            _error(
                "sha256Hash должен быть SHA-256 запроса: 64 шестнадцатеричные цифры.",
                "INVALID_INPUT",
            )
        )
    return digest


def query_to_run(query, extensions) -> QueryText | None:
    """The query a request asks to run, resolving a persisted query's hash.

    None when the request names no query at all. Raises ``PersistedQueryError``.
    """
    digest = requested_hash(extensions)
    allowed = allow_list()
    if digest is None:
        if not isinstance(query, str) or not query:
            return None
        text_hash = sha256_hex(query)
        if allowed is not None and text_hash not in allowed:
            raise PersistedQueryError(
                _error(
                    "Этот запрос не разрешён: сервер выполняет только зарегистрированные запросы.",
                    "QUERY_NOT_IN_SAFELIST",
                )
            )
        return QueryText(query, text_hash)
    if isinstance(query, str) and query:
        if sha256_hex(query) != digest:
            raise PersistedQueryError(
                _error(
                    "sha256Hash не совпадает с текстом запроса.", "PERSISTED_QUERY_HASH_MISMATCH"
                )
            )
        if allowed is not None and digest not in allowed:
            raise PersistedQueryError(
                _error("Запрос с таким хешем не зарегистрирован.", "PERSISTED_QUERY_NOT_IN_LIST")
            )
        return QueryText(query, digest, register=allowed is None and _known(digest) is None)
    if allowed is not None:
        text = allowed.get(digest)
        if text is None:
            raise PersistedQueryError(
                _error("Запрос с таким хешем не зарегистрирован.", "PERSISTED_QUERY_NOT_IN_LIST")
            )
        return QueryText(text, digest)
    text = _known(digest)
    if text is None:
        raise PersistedQueryError(not_found())
    return QueryText(text, digest)


# --- automatic persisted queries: kept in the shared cache, remembered locally --------

_local: OrderedDict[str, str] = OrderedDict()
_local_lock = threading.Lock()


def _remember_locally(digest: str, text: str) -> None:
    with _local_lock:
        _local[digest] = text
        _local.move_to_end(digest)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _cache_key(digest: str) -> str:
    return f"graphql:apq:{digest}"


def _known(digest: str) -> str | None:
    with _local_lock:
        text = _local.get(digest)
    if text is not None:
        return text
    try:
        text = caches["default"].get(_cache_key(digest))
    except Exception as error:  # noqa: BLE001 - without the cache, the client resends the text
        logger.warning("Persisted query store unreachable: %s", error)
        return None
    if isinstance(text, str) and sha256_hex(text) == digest:
        _remember_locally(digest, text)
        return text
    return None


def register(query: QueryText) -> None:
    """Keep a query sent with its hash, once it proved valid, for hash-only requests."""
    if not query.register:
        return
    _remember_locally(query.sha256, query.text)
    try:
        caches["default"].set(
            _cache_key(query.sha256), query.text, settings.GRAPHQL_PERSISTED_QUERY_SECONDS
        )
    except Exception as error:  # noqa: BLE001 - the next hash-only request asks again
        logger.warning("Persisted query not stored: %s", error)


def forget_local() -> None:
    """Empty this process's memory of persisted queries (tests)."""
    with _local_lock:
        _local.clear()
    _load_manifest.cache = {}


# --- the allow-list -------------------------------------------------------------------


def _load_manifest(path: str) -> dict[str, str]:
    cached = _load_manifest.cache.get(path)
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as error:
        raise ImproperlyConfigured(f"GRAPHQL_ALLOWED_QUERIES_FILE: {error}") from error
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
        operations = manifest["operations"]
        allowed = {}
        for operation in operations:
            body, digest = operation["body"], operation["id"]
            if sha256_hex(body) != digest:
                raise ValueError(
                    f"operation {operation.get('name')!r}: id is not the body's SHA-256"
                )
            allowed[digest] = body
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(f"GRAPHQL_ALLOWED_QUERIES_FILE {path}: {error}") from error
    _load_manifest.cache[path] = (stamp, allowed)
    _fingerprints[path] = sha256_hex("\n".join(sorted(allowed)))[:16]
    return allowed


_load_manifest.cache = {}
_fingerprints: dict[str, str] = {}


def allow_list() -> dict[str, str] | None:
    """The allowed queries by hash, or None when any valid query may run."""
    path = settings.GRAPHQL_ALLOWED_QUERIES_FILE
    return _load_manifest(path) if path else None


def allow_list_fingerprint() -> str:
    """Changes when the allow-list does: cached answers of a dropped query go with it."""
    if allow_list() is None:
        return ""
    return _fingerprints[settings.GRAPHQL_ALLOWED_QUERIES_FILE]  # computed once per load
