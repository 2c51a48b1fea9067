"""Loading published enterprises related to something else (an award, a news item…).

Kept apart from ``types``: the types that link to enterprises import this without
importing the Enterprise type, which itself links back to them.
"""

from graphql_schema.core.loading import related
from pages.models import EnterprisePage
from pages.visibility import published

ENTERPRISE_TYPE = "graphql_schema.enterprises.types.Enterprise"


def published_enterprises(lookup: str, to_attr: str | None = None) -> related:
    """Prefetch ``lookup``'s enterprises, only published ones, planned as ``Enterprise``."""
    return related(
        lookup, ENTERPRISE_TYPE, lambda: published(EnterprisePage.objects.all()), to_attr=to_attr
    )
