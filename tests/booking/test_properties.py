"""Property tests of the booking rules: random runs of visitor and host operations.

A hypothesis state machine drives the real services on the test database with a fake
clock, and after every step checks what must always hold for the session: no more seats
held than it has, parties never split, no waitlisted party left behind that fits in the
free seats, one active registration per e-mail, and refusals that change nothing. Each
example makes its own session inside a savepoint that is rolled back when it ends.

Holds expire lazily: a hold past its time frees its seats in the count at once, but the
waitlist is promoted only when ``expire_stale_holds`` (a periodic job) or a registration
for the session expires it. Until then the waitlist check counts such stale holds as
still taken; once none is left, the check is the strict one. (Strict at every step, it
fails by design: a 2-seat hold of 4 seats, a 3-seat party waiting, an hour passes.)

Failures are reported unshrunk; ``BOOKING_PROPERTIES_SHRINK=1`` shrinks them (minutes).
"""

import datetime
import os
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from booking import locking, services, tokens
from booking.models import ACTIVE_STATUSES, SEATED_STATUSES, Consent, Registration, TourSession

Status = Registration.Status
HOLD = django_settings.BOOKING_HOLD_MINUTES
EMAILS = ["anna@example.org", "boris@example.org", "vera@example.org", "gleb@example.org"]
EMAILS += [f"guest{n}@example.org" for n in range(8)]
# Ways a visitor may type the same address: all one person.
SPELLINGS = [str, str.upper, lambda email: f"  {email.capitalize()} "]
# Status changes any operation may make; anything else is a bug.
ALLOWED_CHANGES = {
    Status.PENDING: {Status.CONFIRMED, Status.EXPIRED, Status.CANCELLED},
    Status.WAITLISTED: {Status.PENDING, Status.CANCELLED},
    Status.CONFIRMED: {Status.CANCELLED},
    Status.EXPIRED: set(),
    Status.CANCELLED: set(),
}
MINUTES = st.sampled_from([0, 1, 15, HOLD - 1, HOLD, HOLD + 1, 2 * HOLD, 5 * HOLD])
# An index into the registrations made; the largest stands for a wrong token.
PICK = st.integers(min_value=0, max_value=1_000)
WRONG_TOKENS = ["", "abc", "0" * 64, "g" * 64]


def requests(max_size: int):
    """Visitors sending the form: e-mail, how it is typed, party size (see ``register``)."""
    request = st.tuples(
        st.sampled_from(EMAILS), st.sampled_from(SPELLINGS), st.integers(min_value=0, max_value=9)
    )
    return st.lists(request, min_size=1, max_size=max_size)


SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    database=None,  # no .hypothesis folder in the project
    suppress_health_check=[HealthCheck.too_slow],
    # Shrinking a failure takes minutes here (every try replays database work), so a
    # failure is reported as found unless BOOKING_PROPERTIES_SHRINK=1 asks for the
    # shortest run that fails.
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("BOOKING_PROPERTIES_SHRINK") == "1" else []),
)


def error_code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def holds_seats(row: dict, now: datetime.datetime) -> bool:
    """Written apart from ``Registration.holds_seats_q``: the rule as the brief states it."""
    if row["status"] in SEATED_STATUSES:
        return True
    return row["status"] == Status.PENDING and row["hold_expires_at"] > now


def is_stale(row: dict, now: datetime.datetime) -> bool:
    """A hold past its time that nothing has expired yet."""
    return row["status"] == Status.PENDING and row["hold_expires_at"] <= now


class BookingMachine(RuleBasedStateMachine):
    """One session, a handful of visitors, a clock; the test sets ``enterprise``."""

    enterprise = None

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.now = timezone.now().replace(microsecond=0)
        self.clock = mock.patch("django.utils.timezone.now", lambda: self.now)
        self.clock.start()
        self.session = None
        self.parties = {}  # registration pk -> (normalised e-mail, seats asked for, token)
        self.before = {}  # registration pk -> row, as the last check saw it

    def teardown(self):
        self.clock.stop()
        transaction.savepoint_rollback(self.savepoint)

    # --- the world ----------------------------------------------------------------

    @initialize(
        requests=requests(max_size=6),
        capacity=st.integers(min_value=1, max_value=8),
        max_party_size=st.integers(min_value=1, max_value=5),
        starts_in_minutes=st.integers(min_value=HOLD, max_value=30 * HOLD),
        closes_minutes_before=st.sampled_from([0, HOLD, 3 * HOLD]),
    )
    def make_session(
        self, requests, capacity, max_party_size, starts_in_minutes, closes_minutes_before
    ):
        """A session and its first visitors, so that most runs start with a waitlist."""
        from tests import factories

        starts_at = self.now + datetime.timedelta(minutes=starts_in_minutes)
        self.session = factories.TourSessionFactory(
            enterprise=self.enterprise,
            capacity=capacity,
            max_party_size=min(max_party_size, capacity),
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            booking_closes_at=max(
                self.now, starts_at - datetime.timedelta(minutes=closes_minutes_before)
            ),
        )
        self.register(requests)

    def refresh(self) -> TourSession:
        self.session.refresh_from_db()
        return self.session

    def rows(self) -> dict[int, dict]:
        return {
            row["id"]: row for row in Registration.objects.filter(session=self.session).values()
        }

    def snapshot(self):
        session = TourSession.objects.filter(pk=self.session.pk).values().get()
        consents = Consent.objects.filter(registration__session=self.session).count()
        return session, sorted(self.rows().items()), consents

    def attempt(self, name: str, operation, expected_error: str | None):
        """Run ``operation``; a refusal must be the one expected and change nothing."""
        before = self.snapshot()
        try:
            result = operation()
        except ValidationError as error:
            code = error_code(error)
            event(f"{name} refused: {code}")
            assert code == expected_error, f"{name} refused with {code}, not {expected_error}"
            assert self.snapshot() == before, f"a refusal ({code}) changed rows"
            return None
        assert expected_error is None, f"{name}: expected {expected_error}, it went through"
        event(f"{name} went through")
        return result

    def pick(self, index: int) -> tuple[Registration | None, str]:
        """A registration made so far and its token; none, and a wrong token, for 1000."""
        if index == 1_000 or not self.parties:
            return None, WRONG_TOKENS[index % len(WRONG_TOKENS)]
        pk = sorted(self.parties)[index % len(self.parties)]
        return Registration.objects.get(pk=pk), self.parties[pk][2]

    # --- visitors -----------------------------------------------------------------

    @rule(requests=requests(max_size=3))
    def register(self, requests):
        """A few visitors send the form one after another (the rules checked after each)."""
        largest = self.session.max_party_size
        for n, (email, spelling, size) in enumerate(requests):
            if n:
                self.the_rules_hold()  # between requests; after the last, hypothesis checks
            # 1…max_party_size, and one more (refused) now and then.
            seats = largest + 1 if size == 9 else 1 + size % largest
            self.register_one(email, spelling, seats)

    def register_one(self, email, spelling, seats):
        session, now = self.refresh(), self.now
        # The registration for this e-mail that is still active once stale holds expire.
        existing = next(
            (
                row
                for row in self.rows().values()
                if row["email"] == email
                and row["status"] in ACTIVE_STATUSES
                and not is_stale(row, now)
            ),
            None,
        )
        # The session's rules come first; an e-mail registered already then gets an
        # answer like a new registration's and its own registration back, unchanged.
        if not session.is_registration_open(now):
            expected = "REGISTRATION_CLOSED"
        elif seats > session.max_party_size:
            expected = "PARTY_TOO_LARGE"
        else:
            expected = None
        request = services.RegistrationRequest(
            session_id=session.pk,
            name=f"Гость {email.split('@')[0]}",
            email=spelling(email),
            phone="+7 900 123-45-67",
            seats=seats,
            consent_to_processing=True,
            consent_to_transfer=True,
        )
        outcome = self.attempt("register", lambda: services.register(request), expected)
        if outcome is None:
            return
        registration = outcome.registration
        assert registration.email == email
        taken = session.seats_taken()  # with this registration, if it holds seats
        if existing is not None:
            assert (outcome.created, registration.pk) == (False, existing["id"])
            receipt = getattr(outcome, "receipt", None)
            if receipt is not None:  # what a new request would have been told
                assert receipt.pk is None and receipt.seats == seats
                fits = taken + seats <= session.capacity
                assert receipt.status == (Status.PENDING if fits else Status.WAITLISTED)
            # The repeat may have e-mailed a new link, which replaces the old one.
            registration.refresh_from_db()
            known_email, known_seats, _ = self.parties[registration.pk]
            token = tokens.token_for_salt(registration.token_salt)
            self.parties[registration.pk] = (known_email, known_seats, token)
            return
        assert outcome.created
        assert registration.created_at == now
        if registration.status == Status.PENDING:
            assert registration.hold_expires_at == now + datetime.timedelta(minutes=HOLD)
        else:
            assert registration.status == Status.WAITLISTED
            assert taken + seats > session.capacity, "waitlisted a party that fits"
            event("register: waitlisted")
        token = tokens.token_for_salt(registration.token_salt)
        self.parties[registration.pk] = (email, seats, token)

    @rule(index=PICK)
    def confirm(self, index):
        registration, token = self.pick(index)
        status = registration.status if registration else None
        if registration is None:
            expected = "INVALID_TOKEN"
        elif status == Status.CONFIRMED:
            expected = None
        elif status == Status.PENDING and registration.hold_expires_at > self.now:
            expected = None
        elif status in (Status.PENDING, Status.EXPIRED):
            expected = "HOLD_EXPIRED"
        else:
            expected = "INVALID_STATUS"
        confirmed = self.attempt("confirm", lambda: services.confirm(token), expected)
        if confirmed is not None:
            assert confirmed.status == Status.CONFIRMED

    @rule(index=PICK)
    def cancel(self, index):
        registration, token = self.pick(index)
        started = self.refresh().starts_at <= self.now
        if registration is None:
            expected = "INVALID_TOKEN"
        elif registration.status == Status.CANCELLED:
            expected = None
        elif registration.status in Registration.CANCELLABLE_STATUSES and not started:
            expected = None
        else:
            expected = "INVALID_STATUS"
        cancelled = self.attempt("cancel", lambda: services.cancel(token), expected)
        if cancelled is not None:
            assert cancelled.status == Status.CANCELLED
            assert cancelled.hold_expires_at is None

    # --- time and the jobs ----------------------------------------------------------

    @rule(minutes=MINUTES, run_the_job=st.booleans())
    def time_passes(self, minutes, run_the_job):
        """The clock moves on; the periodic job may or may not run straight after."""
        self.now += datetime.timedelta(minutes=minutes)
        if run_the_job:
            stale = sum(is_stale(row, self.now) for row in self.rows().values())
            assert services.expire_stale_holds(self.now) == stale
            assert services.expire_stale_holds() == 0  # idempotent, on the same clock

    @rule()
    def promote(self):
        """Promote under the lock as cancel and expiry do; with no stale hold, no one fits."""
        stale = any(is_stale(row, self.now) for row in self.rows().values())
        with transaction.atomic():
            session = locking.lock_session(self.session.pk)
            promoted = services._promote_waitlist_locked(session, self.now)
        if not stale:
            assert promoted == [], "promotion found a waitlisted party that already fitted"

    # --- the host -------------------------------------------------------------------

    @rule(capacity=st.one_of(st.integers(min_value=0, max_value=16), st.just(501)))
    def change_capacity(self, capacity):
        session = self.refresh()
        old = session.capacity
        refused = (
            not 1 <= capacity <= 500
            or capacity < session.max_party_size
            or capacity < session.seats_taken()
        )
        changed = self.attempt(
            "change_capacity",
            lambda: services.change_capacity(session.pk, capacity),
            "INVALID_INPUT" if refused else None,
        )
        if changed is not None:
            assert self.refresh().capacity == capacity
            if capacity <= old:
                promoted = [
                    pk
                    for pk, row in self.rows().items()
                    if row["status"] == Status.PENDING
                    and row["promoted_at"] == self.now
                    and self.before[pk]["status"] == Status.WAITLISTED
                ]
                assert promoted == [], "lowering the capacity promoted someone"

    # --- what always holds ----------------------------------------------------------

    @invariant()
    def the_rules_hold(self):
        if self.session is None:
            return
        session, now, rows = self.refresh(), self.now, self.rows()
        holding = [row for row in rows.values() if holds_seats(row, now)]
        held = sum(row["seats"] for row in holding)

        # Seats held never exceed the capacity, and the services count what we count.
        assert held <= session.capacity, f"{held} seats held of {session.capacity}"
        assert session.seats_taken() == held

        # Parties are whole: each row keeps exactly the seats its party asked for.
        for pk, row in rows.items():
            assert row["seats"] == self.parties[pk][1], f"registration {pk} was split"
            assert 1 <= row["seats"] <= session.max_party_size
            if row["status"] == Status.PENDING:
                assert row["hold_expires_at"] is not None
            elif row["status"] in (Status.WAITLISTED, Status.CANCELLED):
                assert row["hold_expires_at"] is None

        # One active registration per e-mail.
        active = [row["email"] for row in rows.values() if row["status"] in ACTIVE_STATUSES]
        assert len(active) == len(set(active)), f"two active registrations: {sorted(active)}"

        # No waitlisted party that fits in the free seats, while promotion is possible.
        if session.status == TourSession.Status.SCHEDULED and session.starts_at > now:
            stale = sum(row["seats"] for row in rows.values() if is_stale(row, now))
            free = session.capacity - held - stale
            behind = [row for row in rows.values() if row["status"] == Status.WAITLISTED]
            fitting = [(row["id"], row["seats"]) for row in behind if row["seats"] <= free]
            assert not fitting, f"waitlist: {fitting} fit in {free} free seats"

        # Statuses only move forward; promotions go first come first served.
        promoted = []
        for pk, row in rows.items():
            old = self.before.get(pk)
            if old is None or old["status"] == row["status"]:
                continue
            assert row["status"] in ALLOWED_CHANGES[old["status"]], (
                f"registration {pk}: {old['status']} -> {row['status']}"
            )
            if old["status"] == Status.WAITLISTED and row["status"] == Status.PENDING:
                assert row["promoted_at"] == now
                assert row["hold_expires_at"] == now + datetime.timedelta(minutes=HOLD)
                promoted.append(row)
        if promoted:
            event(f"promoted {len(promoted)} part{'y' if len(promoted) == 1 else 'ies'}")
        for late in promoted:
            for early in rows.values():
                if early["status"] == Status.WAITLISTED and (
                    (early["created_at"], early["id"]) < (late["created_at"], late["id"])
                ):
                    # Skipping an earlier party is right only when it did not fit.
                    assert early["seats"] > late["seats"], (
                        f"waitlist: {late['id']} promoted ahead of {early['id']}"
                    )
        self.before = rows


def run_machine(enterprise, **overrides):
    machine = type("BookingMachineFor", (BookingMachine,), {"enterprise": enterprise})
    run_state_machine_as_test(machine, settings=settings(SETTINGS, **overrides))


def test_booking_rules_hold_whatever_visitors_and_hosts_do(enterprise):
    run_machine(enterprise)


def test_the_checks_catch_a_waitlist_that_is_never_promoted(enterprise, monkeypatch):
    """Negative control: with promotion switched off the waitlist check must fail."""
    monkeypatch.setattr(services, "_promote_waitlist_locked", lambda session, now: [])
    with pytest.raises(AssertionError, match="waitlist: .* fit in"):
        run_machine(
            enterprise,
            max_examples=200,
            derandomize=True,
            phases=[Phase.generate],  # the first failure is enough
            print_blob=False,
        )


def test_the_checks_catch_a_split_party(enterprise, monkeypatch):
    """Negative control: a registration stored with fewer seats than asked for is caught."""
    create = Registration.objects.create

    def split(**fields):
        fields["seats"] = max(fields["seats"] - 1, 1)
        return create(**fields)

    monkeypatch.setattr(Registration.objects, "create", split)
    with pytest.raises(AssertionError, match="split"):
        run_machine(
            enterprise,
            max_examples=200,
            derandomize=True,
            phases=[Phase.generate],
            print_blob=False,
        )
