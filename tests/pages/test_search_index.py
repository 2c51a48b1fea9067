"""PostgreSQL's full-text search matches in Russian, and an index serves its predicate."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import NewsPage
from pages.search import matching_ids
from tests import factories

INDEX = "wagtailsearch_indexentry_vector_gin"
# What Wagtail's PostgreSQL backend filters on, as it writes it.
PREDICATE = re.compile(
    r'\("wagtailsearch_indexentry"\."title" \|\| "wagtailsearch_indexentry"\."body"\) @@ '
    r"\(to_tsquery\('russian'::regconfig, (?P<query>'[^)]*')\)\)"
)


@pytest.mark.postgres_only
def test_the_search_predicate_is_served_by_the_gin_index(site_tree):
    for n in range(60):
        factories.NewsPageFactory(parent=site_tree.news_index, title=f"Новости завода {n}")
    rare = factories.NewsPageFactory(parent=site_tree.news_index, title="Гидроцилиндры Москвы")
    with CaptureQueriesContext(connection) as captured:
        # Russian stemming: «гидроцилиндр» finds «Гидроцилиндры».
        assert matching_ids(NewsPage.objects.live(), "гидроцилиндр") == [rare.pk]
    (match,) = [m for q in captured.captured_queries if (m := PREDICATE.search(q["sql"]))]
    with connection.cursor() as cursor:
        # A few dozen rows are cheapest to scan whole, and PostgreSQL rightly does; with
        # whole-table scans priced out, the plan shows the index that serves the
        # predicate on a season's worth of news.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT object_id FROM wagtailsearch_indexentry "
            f"WHERE (title || body) @@ to_tsquery('russian'::regconfig, {match['query']})"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {INDEX}" in plan, plan
