"""Conditions other domains put on registering for a session, checked by booking itself.

A domain above booking (the game layer's tasks) registers a check once, at start-up::

    gates.register(check)   # check(session, email) -> None, or raises a booking error

``services.register`` runs every check inside its transaction, after the session lock
and the session's own rules, so a gate is enforced the same way whoever calls booking.
"""

from collections.abc import Callable

from booking.models import TourSession

Check = Callable[[TourSession, str], None]

_checks: list[Check] = []


def register(check: Check) -> Check:
    """Add ``check``; registering the same function twice adds it once."""
    if check not in _checks:
        _checks.append(check)
    return check


def check_all(session: TourSession, email: str) -> None:
    """Run every registered check; the first that refuses raises its ValidationError."""
    for check in _checks:
        check(session, email)
