"""A fixed-window counter in the shared cache, to slow down abuse of the booking mutations."""

import time

from django.core.cache import cache


def allow(scope: str, key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one attempt for ``key``; False once it has made ``limit`` in this window.

    The count lives in the shared cache (Redis: one atomic INCR for all workers). While
    that is unreachable the client's error propagates, so a limit never fails open: the
    GraphQL view answers 503.
    """
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(cache_key, 1, timeout=window_seconds + 60)
        count = 1
    return count <= limit
