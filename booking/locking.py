"""The session lock every seat-changing operation takes (pretix-style, one row lock).

On PostgreSQL this is ``SELECT … FOR UPDATE`` on the session row: registrations,
cancellations and promotions for one session queue behind each other, at READ
COMMITTED, and count seats from rows after the lock is granted. On SQLite the whole
write transaction is already serialised (BEGIN IMMEDIATE), and FOR UPDATE is a no-op.
"""

from booking.models import TourSession


def lock_session(session_id: int) -> TourSession:
    """Lock and return the session; call inside ``transaction.atomic()``."""
    return (
        TourSession.objects.select_related("enterprise")
        .select_for_update(of=("self",))
        .get(pk=session_id)
    )
