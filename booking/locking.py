"""The session lock every seat-changing operation takes (pretix-style, one row lock).

On PostgreSQL this is ``SELECT … FOR UPDATE`` on the session row: registrations,
cancellations and promotions for one session queue behind each other, at READ
COMMITTED, and count seats from rows after the lock is granted. A request that waits
longer than BOOKING_LOCK_TIMEOUT_SECONDS gives up with BUSY instead of holding a worker.
On SQLite the whole write transaction is already serialised (BEGIN IMMEDIATE), and
FOR UPDATE is a no-op.
"""

from django.conf import settings
from django.db import OperationalError, connection

from booking.errors import BookingErrorCode, booking_error
from booking.models import TourSession


def limit_lock_wait() -> None:
    """Bound how long this transaction waits for row locks (PostgreSQL; SQLite
    serialises writers anyway): past BOOKING_LOCK_TIMEOUT_SECONDS the statement fails
    with sqlstate 55P03 (``is_lock_timeout``). Call inside ``atomic()``."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # SET LOCAL: the timeouts end with this transaction. statement_timeout counts
        # the wait for a lock too: it must outlast lock_timeout, so a long queue ends
        # as BUSY, never as a cancelled statement.
        lock_ms = settings.BOOKING_LOCK_TIMEOUT_SECONDS * 1000
        statement_ms = (
            lock_ms + settings.DB_STATEMENT_TIMEOUT_MS if settings.DB_STATEMENT_TIMEOUT_MS else 0
        )
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true), "
            "set_config('statement_timeout', %s, true)",
            [f"{lock_ms}ms", f"{statement_ms}ms"],
        )


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether ``error`` is PostgreSQL giving up the wait for a lock (lock_not_available)."""
    return getattr(error.__cause__, "sqlstate", None) == "55P03"


def lock_session(session_id: int, visible_only: bool = False) -> TourSession:
    """Lock and return the session; call inside ``transaction.atomic()``.

    ``visible_only``: a session at an enterprise the public cannot see is not found
    (TourSession.DoesNotExist), as it is for reading.
    """
    limit_lock_wait()
    sessions = TourSession.objects.select_related("enterprise").select_for_update(of=("self",))
    if visible_only:
        sessions = sessions.filter(pk__in=TourSession.objects.visible().values("pk"))
    try:
        return sessions.get(pk=session_id)
    except OperationalError as error:
        if is_lock_timeout(error):
            raise booking_error(
                BookingErrorCode.BUSY,
                "Сейчас на этот сеанс записывается очень много людей. Попробуйте через минуту.",
            ) from error
        raise
