"""The booking rules. GraphQL mutations, the admin and management commands call these.

Every operation that changes who holds seats runs in one transaction that first locks
the session row (``lock_session``), then counts seats from registration rows. Failures
raise ``ValidationError`` with a ``BookingErrorCode`` and change nothing; an error
about one input names it as Python does (``youngest_participant_age``), and each caller
translates that for its own clients.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import gates, holds, locking, notifications, ratelimit, signals, tokens
from booking.errors import BookingErrorCode as Code
from booking.errors import booking_error
from booking.models import ACTIVE_STATUSES, Consent, Registration, TourSession
from booking.notifications import Notice

Status = Registration.Status

NAME_MAX_LENGTH = 200
PHONE_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class RegistrationRequest:
    """What a visitor submits to register a party."""

    session_id: int
    name: str
    email: str
    phone: str
    seats: int
    consent_to_processing: bool
    consent_to_transfer: bool
    youngest_participant_age: int | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool  # False when this e-mail already had a registration for the session
    # What the visitor is told. For an e-mail registered already, it is what a new
    # request would get (unsaved), so the answer never tells whether an address is known.
    receipt: Registration


# --- input -------------------------------------------------------------------------


def normalise_email(raw: str) -> str:
    """Trimmed, lower-cased e-mail; one person is one address however it is typed."""
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise booking_error(
            Code.INVALID_INPUT, "Укажите e-mail в виде name@example.ru.", field="email"
        ) from None
    return email


def normalise_phone(raw: str) -> str:
    """A Russian phone number as +7XXXXXXXXXX (8… and 7… accepted; other formats refused)."""
    digits = "".join(PHONE_DIGITS.findall(raw or ""))
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    raise booking_error(
        Code.INVALID_INPUT, "Укажите телефон в формате +7 900 000-00-00.", field="phone"
    )


def normalise_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if len(name) < 2 or len(name) > NAME_MAX_LENGTH or not any(c.isalpha() for c in name):
        raise booking_error(Code.INVALID_INPUT, "Укажите имя и фамилию.", field="name")
    return name


def _check_request(request: RegistrationRequest) -> tuple[str, str, str]:
    if not request.consent_to_processing:
        raise booking_error(
            Code.CONSENT_REQUIRED,
            "Нужно согласие на обработку персональных данных.",
            field="consent_to_processing",
        )
    if not request.consent_to_transfer:
        raise booking_error(
            Code.CONSENT_REQUIRED,
            "Нужно согласие на передачу данных предприятию: без него вас не пропустят.",
            field="consent_to_transfer",
        )
    name = normalise_name(request.name)
    email = normalise_email(request.email)
    phone = normalise_phone(request.phone)
    if not isinstance(request.seats, int) or request.seats < 1:
        raise booking_error(Code.INVALID_INPUT, "Укажите число мест от 1.", field="seats")
    return name, email, phone


def _check_session_rules(session: TourSession, request: RegistrationRequest, now) -> None:
    if session.status == TourSession.Status.CANCELLED:
        raise booking_error(Code.SESSION_CANCELLED, "Этот сеанс отменён.")
    if not session.is_registration_open(now):
        raise booking_error(
            Code.REGISTRATION_CLOSED,
            "Запись на этот сеанс закрыта: она заканчивается за "
            f"{settings.BOOKING_CLOSE_DAYS} дня до начала.",
        )
    if request.seats > session.max_party_size:
        raise booking_error(
            Code.PARTY_TOO_LARGE,
            f"В одной заявке можно записать не больше {session.max_party_size} человек.",
            field="seats",
        )
    min_age = session.effective_min_age
    if min_age:
        age = request.youngest_participant_age
        if age is None:
            raise booking_error(
                Code.AGE_RESTRICTED,
                f"Сеанс для участников от {min_age} лет: укажите возраст самого младшего.",
                field="youngest_participant_age",
            )
        if age < min_age:
            raise booking_error(
                Code.AGE_RESTRICTED,
                f"Сеанс для участников от {min_age} лет.",
                field="youngest_participant_age",
            )


def _check_season_cap(session: TourSession, email: str) -> None:
    if session.season_id is None:
        return
    active = Registration.objects.filter(
        email=email,
        session__season_id=session.season_id,
        status__in=[Status.PENDING, Status.CONFIRMED, Status.WAITLISTED],
    ).count()
    if active >= settings.BOOKING_MAX_ACTIVE_PER_SEASON:
        raise booking_error(
            Code.LIMIT_REACHED,
            f"В одном сезоне можно иметь не больше {settings.BOOKING_MAX_ACTIVE_PER_SEASON} "
            "активных заявок.",
        )


# --- visitor operations ------------------------------------------------------------


def check_rate_limit(action: str, client_key: str | None) -> None:
    """Refuse a visitor (by IP) who has sent too many booking requests this hour."""
    if client_key and not ratelimit.allow(
        f"booking:{action}", client_key, settings.BOOKING_RATE_LIMIT_PER_HOUR
    ):
        raise booking_error(Code.RATE_LIMITED, "Слишком много попыток. Попробуйте снова через час.")


def register(request: RegistrationRequest) -> RegistrationOutcome:
    """Hold seats for a party (PENDING, to be confirmed by e-mail) or put it on the waitlist.

    An e-mail that already has a registration for the session makes none: the holder of
    the address gets that registration's e-mail again (so a retry, or a visitor whose
    letter never came, has the link), and the answer is the same as for a new request.
    The party is never split: it gets all its seats or waits for all of them.
    """
    name, email, phone = _check_request(request)
    try:
        with transaction.atomic():
            # Visitors book only what they could read: a hidden enterprise's session is
            # NOT_FOUND, whatever its id.
            session = locking.lock_session(request.session_id, visible_only=True)
            now = timezone.now()  # after the lock: waitlist order is the order of the lock
            _expire_holds_locked(session, now)
            _check_session_rules(session, request, now)
            gates.check_all(session, email)
            fits = session.seats_taken() + request.seats <= session.capacity
            existing = Registration.objects.filter(
                session=session, email=email, status__in=ACTIVE_STATUSES
            ).first()
            if existing is not None:
                _resend_current_notice(existing)
                receipt = Registration(
                    session=session,
                    seats=request.seats,
                    status=Status.PENDING if fits else Status.WAITLISTED,
                    hold_expires_at=holds.hold_until(now) if fits else None,
                )
                return RegistrationOutcome(existing, created=False, receipt=receipt)
            _check_season_cap(session, email)

            salt = tokens.new_salt()
            registration = Registration.objects.create(
                session=session,
                name=name,
                email=email,
                phone=phone,
                seats=request.seats,
                status=Status.PENDING if fits else Status.WAITLISTED,
                hold_expires_at=holds.hold_until(now) if fits else None,
                token_salt=salt,
                token_hash=tokens.hash_token(tokens.token_for_salt(salt)),
                created_at=now,
            )
            _record_consents(registration, request.ip_address, now)
            notifications.notify(registration, Notice.CONFIRM_LINK if fits else Notice.WAITLISTED)
            return RegistrationOutcome(registration, created=True, receipt=registration)
    except TourSession.DoesNotExist:
        raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id") from None
    except IntegrityError:
        # The partial unique constraint caught a duplicate that slipped past the check.
        raise booking_error(
            Code.ALREADY_REGISTERED, "С этим e-mail уже есть заявка на этот сеанс.", field="email"
        ) from None


def _resend_current_notice(registration: Registration) -> bool:
    """E-mail a registration's current letter again with a new link (the old one stops
    working), at most once per BOOKING_RESEND_MINUTES, so repeating a request cannot flood
    someone's mailbox. Returns whether a letter was asked for."""
    if registration.status == Status.PENDING:
        notice = Notice.PROMOTED if registration.promoted_at else Notice.CONFIRM_LINK
    elif registration.status == Status.WAITLISTED:
        notice = Notice.WAITLISTED
    elif registration.status == Status.CONFIRMED:
        notice = Notice.CONFIRMED
    else:
        return False  # attended or not: nothing left to tell
    window = settings.BOOKING_RESEND_MINUTES * 60
    if not ratelimit.allow("booking:resend", str(registration.pk), 1, window_seconds=window):
        return False
    _replace_token(registration)
    notifications.notify(registration, notice)
    return True


def _replace_token(registration: Registration) -> None:
    salt = tokens.new_salt()
    registration.token_salt = salt
    registration.token_hash = tokens.hash_token(tokens.token_for_salt(salt))
    registration.save(update_fields=["token_salt", "token_hash"])


def resend_letter(session_id: int, email: str) -> None:
    """Send the holder of ``email`` their registration's current letter again, with a new
    link, if they have an active registration for the session.

    The caller's answer must be the same whether or not the address is registered: this
    returns nothing and raises only for a malformed address or an unknown session.
    """
    email = normalise_email(email)
    with transaction.atomic():
        try:
            session = locking.lock_session(session_id, visible_only=True)
        except TourSession.DoesNotExist:
            raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id") from None
        _expire_holds_locked(session, timezone.now())
        registration = Registration.objects.filter(
            session=session, email=email, status__in=ACTIVE_STATUSES
        ).first()
        if registration is not None:
            _resend_current_notice(registration)


def confirm(token: str) -> Registration:
    """Confirm a held registration from the e-mail link; confirming twice is harmless."""
    registration = find_by_token(token)
    with transaction.atomic():
        locking.lock_session(registration.session_id)
        now = timezone.now()
        registration.refresh_from_db()
        if registration.status in (Status.CONFIRMED, Status.ATTENDED):
            return registration
        if registration.status == Status.PENDING and registration.hold_expires_at > now:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            registration.save(update_fields=["status", "confirmed_at"])
            notifications.notify(registration, Notice.CONFIRMED)
            return registration
        if registration.status in (Status.PENDING, Status.EXPIRED):
            raise booking_error(
                Code.HOLD_EXPIRED,
                "Время на подтверждение истекло, и места освободились. Запишитесь снова.",
            )
        if registration.status == Status.WAITLISTED:
            raise booking_error(
                Code.INVALID_STATUS,
                "Вы в листе ожидания: мы напишем, как только освободится место.",
            )
        raise booking_error(Code.INVALID_STATUS, "Эта заявка отменена.")


def cancel(token: str) -> Registration:
    """Cancel by the visitor; freed seats go to the waitlist in the same transaction."""
    registration = find_by_token(token)
    with transaction.atomic():
        session = locking.lock_session(registration.session_id)
        now = timezone.now()
        registration.refresh_from_db()
        if registration.status == Status.CANCELLED:
            return registration
        if not registration.can_be_cancelled(now):
            message = (
                "Сеанс уже начался."
                if registration.status in Registration.CANCELLABLE_STATUSES
                else "Эту заявку уже нельзя отменить."
            )
            raise booking_error(Code.INVALID_STATUS, message)
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.hold_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "hold_expires_at"])
        notifications.notify(registration, Notice.CANCELLED)
        _promote_waitlist_locked(session, now)
        return registration


def find_by_token(token: str) -> Registration:
    """The registration a token opens, or INVALID_TOKEN (never says which part was wrong)."""
    if not tokens.looks_like_token(token):
        raise booking_error(Code.INVALID_TOKEN, "Ссылка недействительна.", field="token")
    registration = (
        Registration.objects.select_related("session", "session__enterprise")
        .filter(token_hash=tokens.hash_token(token))
        .first()
    )
    if registration is None or not tokens.token_matches(token, registration.token_hash):
        raise booking_error(Code.INVALID_TOKEN, "Ссылка недействительна.", field="token")
    return registration


# --- the programme's and hosts' operations --------------------------------------------


def cancel_session(session_id: int, reason: str = "") -> TourSession:
    """Cancel a session and every registration for it; everyone registered is told."""
    with transaction.atomic():
        session = locking.lock_session(session_id)
        now = timezone.now()
        if session.status == TourSession.Status.CANCELLED:
            return session
        session.status = TourSession.Status.CANCELLED
        session.cancelled_at = now
        session.cancellation_reason = reason
        session.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
        affected = list(session.registrations.filter(status__in=Registration.CANCELLABLE_STATUSES))
        for registration in affected:
            registration.status = Status.CANCELLED
            registration.cancelled_at = now
            registration.hold_expires_at = None
            registration.save(update_fields=["status", "cancelled_at", "hold_expires_at"])
            notifications.notify(registration, Notice.SESSION_CANCELLED)
        return session


def change_capacity(session_id: int, capacity: int) -> TourSession:
    """Set a session's number of seats; seats it adds go to the waitlist at once.

    Refused with INVALID_INPUT on ``capacity``, changing nothing, when the number is
    outside the field's validators (1…500), below ``max_party_size`` (a party that may
    register must be able to fit) or below the seats held now: seats given to visitors
    are never taken back. When the capacity rises, waitlisted parties are promoted in
    the same transaction, first come first served and whole parties only, and each is
    e-mailed (after the commit) to confirm.
    """
    with transaction.atomic():
        try:
            session = locking.lock_session(session_id)
        except TourSession.DoesNotExist:
            raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id") from None
        now = timezone.now()
        field = TourSession._meta.get_field("capacity")
        try:
            if not isinstance(capacity, int) or isinstance(capacity, bool):
                raise ValidationError("not an integer")
            field.run_validators(capacity)
        except ValidationError:
            limits = {getattr(v, "code", None): v for v in field.validators}
            low, high = limits["min_value"].limit_value, limits["max_value"].limit_value
            raise booking_error(
                Code.INVALID_INPUT, f"Укажите число мест от {low} до {high}.", field="capacity"
            ) from None
        if capacity < session.max_party_size:
            raise booking_error(
                Code.INVALID_INPUT,
                f"В одной заявке можно записать {session.max_party_size} человек: мест на "
                "сеансе не может быть меньше.",
                field="capacity",
            )
        taken = session.seats_taken()
        if capacity < taken:
            raise booking_error(
                Code.INVALID_INPUT,
                f"Уже занято {taken} мест: вместимость не может быть меньше.",
                field="capacity",
            )
        raised = capacity > session.capacity
        session.capacity = capacity
        session.save(update_fields=["capacity"])
        if raised:
            _promote_waitlist_locked(session, now)
        return session


# Fields an edit never sets: a session is cancelled by ``cancel_session``, which tells
# everyone registered; its seats change only by ``change_capacity``.
NOT_EDITABLE = frozenset({"id", "status", "cancelled_at", "cancellation_reason", "capacity"})


def edit_session(session_id: int, capacity: int, details: Mapping[str, object]) -> TourSession:
    """Save an edit of a session (the admin's form) whole or not at all, under its lock.

    ``details`` are the other fields by name (``title``, ``max_party_size``…), written
    first; then the capacity is set by ``change_capacity``'s rules, against the session as
    edited: raised, it promotes the waitlist and e-mails those promoted after the commit;
    below the seats held now (counted after the lock), or otherwise refused, it raises
    ``ValidationError`` on ``capacity`` and the details are not saved either.
    """
    refused = NOT_EDITABLE.intersection(details)
    if refused:
        raise ValueError(f"An edit cannot set {sorted(refused)}.")
    with transaction.atomic():
        try:
            session = locking.lock_session(session_id)
        except TourSession.DoesNotExist:
            raise booking_error(Code.NOT_FOUND, "Сеанс не найден.", field="session_id") from None
        for name, value in details.items():
            setattr(session, name, value)
        if details:
            session.save(update_fields=list(details))
        return change_capacity(session_id, capacity)


def mark_attendance(registration_id: int, attended: bool) -> Registration:
    """Check a confirmed party in (ATTENDED) or mark it NO_SHOW, on or after the day."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        allowed = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)
        if registration.status not in allowed:
            raise booking_error(Code.INVALID_STATUS, "Отмечать можно только подтверждённые заявки.")
        starts = timezone.localdate(registration.session.starts_at)
        if timezone.localdate() < starts:
            raise booking_error(Code.INVALID_STATUS, "Отмечать посещение можно в день сеанса.")
        registration.status = Status.ATTENDED if attended else Status.NO_SHOW
        registration.checked_in_at = timezone.now() if attended else None
        registration.save(update_fields=["status", "checked_in_at"])
        signals.attendance_marked.send(
            sender=Registration, registration=registration, attended=attended
        )
        return registration


def expire_stale_holds(now: datetime.datetime | None = None) -> int:
    """Expire unconfirmed holds past their time and promote from the waitlists. Idempotent."""
    now = now or timezone.now()
    session_ids = set(
        Registration.objects.filter(status=Status.PENDING, hold_expires_at__lte=now).values_list(
            "session_id", flat=True
        )
    )
    expired = 0
    for session_id in sorted(session_ids):  # a fixed order: no lock-order deadlocks
        with transaction.atomic():
            session = locking.lock_session(session_id)
            expired += _expire_holds_locked(session, now)
    return expired


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind confirmed parties of tomorrow's sessions, once each. Idempotent."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        session__status=TourSession.Status.SCHEDULED,
        session__starts_at__date=tomorrow,
    )
    sent = 0
    for registration in due:
        with transaction.atomic():
            updated = Registration.objects.filter(
                pk=registration.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if updated:
                notifications.notify(registration, Notice.REMINDER)
                sent += 1
    return sent


def anonymise_old_registrations(now: datetime.datetime | None = None) -> int:
    """Remove personal data from registrations for sessions long past. Idempotent."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.BOOKING_ANONYMISE_AFTER_DAYS)
    old = Registration.objects.filter(session__ends_at__lt=cutoff, anonymised_at__isnull=True)
    count = 0
    for registration in old.iterator():
        with transaction.atomic():
            registration.name = "—"
            registration.email = f"anonymised-{registration.pk}@invalid"
            registration.phone = ""
            registration.anonymised_at = now
            registration.save(update_fields=["name", "email", "phone", "anonymised_at"])
            registration.consents.update(ip_address=None)
            count += 1
    return count


# --- internals (caller holds the session lock) ---------------------------------------


def _record_consents(registration: Registration, ip_address: str | None, now) -> None:
    Consent.objects.bulk_create(
        [
            Consent(
                registration=registration,
                kind=Consent.Kind.PROCESSING,
                text_version=settings.BOOKING_CONSENT_PROCESSING_VERSION,
                granted_at=now,
                ip_address=ip_address,
            ),
            Consent(
                registration=registration,
                kind=Consent.Kind.TRANSFER_TO_HOST,
                text_version=settings.BOOKING_CONSENT_TRANSFER_VERSION,
                granted_at=now,
                ip_address=ip_address,
            ),
        ]
    )


def _expire_holds_locked(session: TourSession, now) -> int:
    stale = list(session.registrations.filter(status=Status.PENDING, hold_expires_at__lte=now))
    for registration in stale:
        registration.status = Status.EXPIRED
        registration.save(update_fields=["status"])
    if stale:
        _promote_waitlist_locked(session, now)
    return len(stale)


def _promote_waitlist_locked(session: TourSession, now) -> list[Registration]:
    """Give freed seats to waitlisted parties, first come first served, whole parties only."""
    if session.status != TourSession.Status.SCHEDULED or session.starts_at <= now:
        return []
    free = session.capacity - session.seats_taken()
    promoted = []
    for registration in session.registrations.filter(status=Status.WAITLISTED).order_by(
        "created_at", "pk"
    ):
        if free <= 0:
            break
        if registration.seats > free:
            continue  # a party is never split; a smaller one behind it may fit
        registration.status = Status.PENDING
        registration.hold_expires_at = holds.hold_until(now)
        registration.promoted_at = now
        registration.save(update_fields=["status", "hold_expires_at", "promoted_at"])
        notifications.notify(registration, Notice.PROMOTED)
        free -= registration.seats
        promoted.append(registration)
    return promoted
