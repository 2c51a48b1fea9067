"""A time budget for one GraphQL request, enforced at every SQL query it makes.

The cost limit refuses what is expensive by its shape; this ends what is expensive by
its data before gunicorn's worker timeout would kill the process. PostgreSQL's
``statement_timeout`` (DB_STATEMENT_TIMEOUT_MS) bounds a single query as well.
"""

import time
from contextlib import contextmanager

from django.db import connection


class DeadlineExceeded(Exception):
    """The request used up its time budget; nothing more is read for it."""


@contextmanager
def request_deadline(seconds: float):
    """Refuse every SQL query issued after ``seconds`` from now (0 or less: no budget)."""
    if seconds <= 0:
        yield
        return
    deadline = time.monotonic() + seconds

    def check(execute, sql, params, many, context):
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"time budget of {seconds} s used up")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(check):
        yield
