"""Query texts prepared once: parsed, validated, limit-checked and given their caching policy.

Clients send the same few documents over and over; parsing and validating them is half
the work of a cached answer. ``prepare()`` keeps the outcome per distinct query text in
a bounded LRU (per process, entries and text bytes both capped), errors included, so a
repeated bad document costs no more than a good one. The key includes every setting
the outcome depends on (introspection, limits), so a changed setting never reuses an
outcome computed under another.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules

from graphql_schema.core.errors import InvalidInput
from graphql_schema.core.inputs import check_document_text, text_problem
from graphql_schema.core.policy import Policy, policy_for
from graphql_schema.validation import Limits, check_limits


@dataclass(frozen=True)
class PreparedDocument:
    """What a query text turned out to be: a runnable document, or why it is refused."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    cost: float | None = None  # the cost estimate, once the document passed validation
    policy: Policy | None = None  # its caching policy, when it has no errors

    @property
    def ok(self) -> bool:
        return not self.errors


def validation_rules() -> tuple:
    """graphql-core's standard rules, plus introspection's switch; never fewer."""
    if settings.GRAPHQL_INTROSPECTION:
        return tuple(specified_rules)
    return (*specified_rules, NoSchemaIntrospectionCustomRule)


def limits() -> Limits:
    """The endpoint's limits on one document, from the settings."""
    return Limits(
        max_depth=settings.GRAPHQL_MAX_DEPTH,
        max_fields=settings.GRAPHQL_MAX_FIELDS,
        max_cost=settings.GRAPHQL_MAX_COST,
        max_aliases=settings.GRAPHQL_MAX_ALIASES,
        page_size=settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"],
    )


def _outcome(schema: GraphQLSchema, query: str) -> PreparedDocument:
    problem = text_problem(query)
    if problem:
        return PreparedDocument(None, (InvalidInput(problem, field="query"),))
    if len(query.encode()) > settings.GRAPHQL_MAX_QUERY_BYTES:
        error = GraphQLError(
            f"Запрос длиннее {settings.GRAPHQL_MAX_QUERY_BYTES} байт.",
            extensions={"code": "QUERY_TOO_LARGE"},
        )
        return PreparedDocument(None, (error,))
    try:
        document = parse(query, max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError as error:
        return PreparedDocument(None, (error,))
    # Our limits run second, on documents the standard rules accept (known, acyclic
    # fragments), so a malformed document cannot trip them up.
    errors = validate(schema, document, validation_rules()) or check_document_text(document)
    if errors:
        return PreparedDocument(document, tuple(errors))
    errors, cost = check_limits(schema, document, limits())
    if errors:
        return PreparedDocument(document, tuple(errors), cost)
    return PreparedDocument(document, (), cost, policy_for(schema, document))


class DocumentCache:
    """A thread-safe LRU of prepared documents, bounded in entries and in text bytes."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[int, PreparedDocument]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> PreparedDocument | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, size: int, prepared: PreparedDocument) -> None:
        if size > self.max_bytes or self.max_entries < 1:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._entries[key] = (size, prepared)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (evicted_size, _) = self._entries.popitem(last=False)
                self._bytes -= evicted_size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


documents = DocumentCache(
    max_entries=settings.GRAPHQL_DOCUMENT_CACHE_ENTRIES,
    max_bytes=settings.GRAPHQL_DOCUMENT_CACHE_BYTES,
)


def _key(schema: GraphQLSchema, query: str) -> tuple:
    return (
        id(schema),
        query,
        settings.GRAPHQL_INTROSPECTION,
        limits(),
        settings.GRAPHQL_MAX_TOKENS,
        settings.GRAPHQL_MAX_QUERY_BYTES,
    )


def prepare(schema: GraphQLSchema, query: str) -> PreparedDocument:
    """The prepared form of ``query``: computed once per distinct text (and settings)."""
    key = _key(schema, query)
    prepared = documents.get(key)
    if prepared is None:
        prepared = _outcome(schema, query)
        documents.put(key, len(query), prepared)
    return prepared


def known_policy(schema: GraphQLSchema, query: str) -> Policy | None:
    """The caching policy of ``query`` if it was prepared before (no work otherwise)."""
    prepared = documents.get(_key(schema, query))
    return prepared.policy if prepared is not None else None
