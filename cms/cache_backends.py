"""Cache backends: local memory with a byte budget, and Redis keeping its client.

Django's LocMemCache bounds only the number of entries: 10,000 GraphQL answers of a few
megabytes each would take gigabytes in every worker. ``BoundedLocMemCache`` does not
store a value larger than ``MAX_ENTRY_BYTES``, and drops the least recently used entries
once the stored values exceed ``MAX_BYTES``.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# Per cache name, like LocMemCache's own stores: {key: size of its pickled value}.
_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}


class BoundedLocMemCache(LocMemCache):
    """LocMemCache with OPTIONS ``MAX_BYTES`` (in all) and ``MAX_ENTRY_BYTES`` (per value)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", 64 * 1024 * 1024))
        self._max_entry_bytes = int(options.get("MAX_ENTRY_BYTES", self._max_bytes // 16))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        size = len(value)
        if size > self._max_entry_bytes:
            self._delete(key)  # an older, smaller value under this key is stale now
            return
        self._forget(key)
        super()._set(key, value, timeout)
        self._sizes[key] = size
        self._total[0] += size
        while self._total[0] > self._max_bytes and self._cache:
            oldest, _ = self._cache.popitem()  # least recently used last
            self._expire_info.pop(oldest, None)
            self._forget(oldest)

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:  # the counter's pickled size may have changed
            self._forget(key)
            self._sizes[key] = len(self._cache.get(key, b""))
            self._total[0] += self._sizes[key]
        return value

    def _cull(self):
        super()._cull()
        for key in [key for key in self._sizes if key not in self._cache]:
            self._forget(key)

    def _delete(self, key):
        self._forget(key)
        return super()._delete(key)

    def clear(self):
        with self._lock:
            self._sizes.clear()
            self._total[0] = 0
        super().clear()

    def stored_bytes(self) -> int:
        """The size of all values held now (for tests and monitoring)."""
        return self._total[0]

    def _forget(self, key) -> None:
        self._total[0] -= self._sizes.pop(key, 0)


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache operation, and building one
    (its table of ~170 response callbacks) costs about as much as a cached GraphQL
    answer's own lookup. redis-py's clients are safe to share between threads: the
    pool hands each command its own connection.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's ``RedisCache`` with a shared client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    def validate_key(self, key):
        """Nothing to check: Redis takes any key. Django's check warns about keys that
        memcached would refuse, reading every character of every key of every operation
        (two per cached answer) for a backend that is not memcached."""
