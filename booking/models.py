"""Excursion sessions and the registrations for them.

Seats are always counted from registration rows (no stored counter that could drift);
``booking.services`` takes them inside a transaction that locks the session row.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from pages.models import EnterprisePage
from pages.visibility import published


class Audience(models.TextChoices):
    SCHOOLCHILDREN = "schoolchildren", "школьники"
    STUDENTS = "students", "студенты"
    FAMILIES = "families", "семьи"
    ADULTS = "adults", "взрослые"


class TourSessionQuerySet(models.QuerySet):
    def visible(self):
        """Sessions at enterprises the public may see (live, public, not expired).

        Reading and booking both start here, so a hidden enterprise's sessions can be
        neither listed nor booked by guessing their ids.
        """
        return self.filter(enterprise__in=published(EnterprisePage.objects.all()))

    def scheduled(self):
        return self.filter(status=TourSession.Status.SCHEDULED)

    def open_for_registration(self, now: datetime.datetime | None = None):
        return self.filter(TourSession.registration_open_q(now or timezone.now()))

    def upcoming(self, now: datetime.datetime | None = None):
        """Scheduled sessions that have not started yet."""
        return self.scheduled().filter(starts_at__gt=now or timezone.now())

    def with_seats_taken(self):
        """Annotate ``seats_taken_count``: seats held by registrations, counted from rows."""
        return self.annotate(
            seats_taken_count=Coalesce(
                Sum(
                    "registrations__seats",
                    filter=Registration.holds_seats_q(prefix="registrations__"),
                ),
                0,
            )
        )

    def with_seats_left(self):
        """Sessions with at least one free seat (``seats_left() > 0``), counted from rows.

        Uses the ``seats_taken_count`` annotation, adding it when it is not there yet.
        """
        queryset = (
            self if "seats_taken_count" in self.query.annotations else self.with_seats_taken()
        )
        return queryset.filter(capacity__gt=models.F("seats_taken_count"))

    def available(self, now: datetime.datetime | None = None):
        """Open for registration with a free seat: a new party would hold seats, not wait."""
        return self.open_for_registration(now).with_seats_left()

    def open_for_age(self, age: int):
        """Sessions a visitor of ``age`` may attend: the database form of
        ``effective_min_age`` (the session's minimum, else the enterprise's; none: any)."""
        min_age = Coalesce("min_age", "enterprise__min_age")
        return self.alias(effective_min_age=min_age).filter(
            Q(effective_min_age__isnull=True) | Q(effective_min_age__lte=age)
        )


class TourSession(index.Indexed, models.Model):
    """One dated occurrence of an excursion, master class or other event at an enterprise."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "по расписанию"
        CANCELLED = "cancelled", "отменено"

    enterprise = models.ForeignKey(
        "pages.EnterprisePage",
        verbose_name="предприятие",
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    event_format = models.ForeignKey(
        "catalogue.EventFormat",
        verbose_name="формат",
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    season = models.ForeignKey(
        "catalogue.Season",
        verbose_name="сезон",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    title = models.CharField(
        "название", max_length=255, blank=True, help_text="Например, «Экскурсия в сборочный цех»."
    )
    description = models.TextField("описание", blank=True)
    starts_at = models.DateTimeField("начало")
    ends_at = models.DateTimeField("окончание")
    capacity = models.PositiveSmallIntegerField(
        "мест", validators=[MinValueValidator(1), MaxValueValidator(500)], default=25,
        help_text="Обычно группа — от 15 до 40 человек.",
    )  # fmt: skip
    max_party_size = models.PositiveSmallIntegerField(
        "мест в одной заявке", validators=[MinValueValidator(1), MaxValueValidator(20)], default=4
    )
    meeting_point = models.CharField("место сбора", max_length=500, blank=True)
    stream_url = models.URLField("ссылка на трансляцию", max_length=500, blank=True)
    min_age = models.PositiveSmallIntegerField(
        "минимальный возраст",
        null=True,
        blank=True,
        validators=[MaxValueValidator(21)],
        help_text="Пусто — как у предприятия.",
    )
    for_schoolchildren = models.BooleanField("для школьников", default=False)
    for_students = models.BooleanField("для студентов", default=True)
    for_families = models.BooleanField("для семей", default=True)
    for_adults = models.BooleanField("для взрослых", default=True)
    id_document_required = models.BooleanField("нужен документ", default=False)
    booking_closes_at = models.DateTimeField(
        "запись закрывается",
        null=True,
        blank=True,
        help_text=f"Пусто — за {settings.BOOKING_CLOSE_DAYS} дня до начала.",
    )
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    cancellation_reason = models.TextField("причина отмены", blank=True)
    cancelled_at = models.DateTimeField("отменено", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TourSessionQuerySet.as_manager()

    AUDIENCE_FIELDS = {
        Audience.SCHOOLCHILDREN: "for_schoolchildren",
        Audience.STUDENTS: "for_students",
        Audience.FAMILIES: "for_families",
        Audience.ADULTS: "for_adults",
    }

    search_fields = [
        index.SearchField("title"),
        index.FilterField("starts_at"),
        index.FilterField("status"),
    ]
    panels = [
        FieldPanel("enterprise"),
        FieldRowPanel([FieldPanel("event_format"), FieldPanel("season")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading="Время"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("max_party_size")], heading="Места"),
        FieldRowPanel([FieldPanel("meeting_point"), FieldPanel("stream_url")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_age"), FieldPanel("id_document_required")]),
                FieldRowPanel(
                    [
                        FieldPanel("for_schoolchildren"),
                        FieldPanel("for_students"),
                        FieldPanel("for_families"),
                        FieldPanel("for_adults"),
                    ]
                ),
            ],
            heading="Кому подходит",
        ),
        FieldPanel("booking_closes_at"),
    ]

    class Meta:
        verbose_name = "сеанс"
        verbose_name_plural = "сеансы"
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at).strftime("%d.%m.%Y %H:%M")
        return f"{self.display_title} — {when}"

    @property
    def display_title(self) -> str:
        return self.title or f"{self.event_format} на «{self.enterprise.title}»"

    @property
    def registration_closes_at(self) -> datetime.datetime:
        """When booking stops: the session's own moment, else BOOKING_CLOSE_DAYS before start."""
        if self.booking_closes_at:
            return self.booking_closes_at
        return self.starts_at - datetime.timedelta(days=settings.BOOKING_CLOSE_DAYS)

    @staticmethod
    def registration_open_q(now: datetime.datetime) -> Q:
        """The database form of ``is_registration_open``."""
        default_close = now + datetime.timedelta(days=settings.BOOKING_CLOSE_DAYS)
        return Q(status=TourSession.Status.SCHEDULED) & (
            Q(booking_closes_at__gt=now)
            | Q(booking_closes_at__isnull=True, starts_at__gt=default_close)
        )

    def is_registration_open(self, now: datetime.datetime | None = None) -> bool:
        return (
            self.status == self.Status.SCHEDULED
            and (now or timezone.now()) < self.registration_closes_at
        )

    @property
    def effective_min_age(self) -> int | None:
        return self.min_age if self.min_age is not None else self.enterprise.min_age

    @property
    def audiences(self) -> list[str]:
        fields = self.AUDIENCE_FIELDS.items()
        return [audience.value for audience, field in fields if getattr(self, field)]

    def seats_taken(self) -> int:
        """Seats held now, counted from rows (uses the annotation when present)."""
        annotated = getattr(self, "seats_taken_count", None)
        if annotated is not None:
            return annotated
        return self.registrations.filter(Registration.holds_seats_q()).aggregate(
            total=Coalesce(Sum("seats"), 0)
        )["total"]

    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken(), 0)

    def is_waitlist_open(self, now: datetime.datetime | None = None) -> bool:
        """Registration is open but every seat is taken: a new party joins the waitlist."""
        return self.is_registration_open(now) and self.seats_left() == 0

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "Окончание должно быть позже начала."
        if self.booking_closes_at and self.starts_at and self.booking_closes_at > self.starts_at:
            errors["booking_closes_at"] = "Запись должна закрываться не позже начала."
        if self.max_party_size and self.capacity and self.max_party_size > self.capacity:
            errors["max_party_size"] = "Заявка не может быть больше, чем мест на сеансе."
        # Capacity against the seats taken is not checked here: counted without the
        # session lock, the answer could be stale by the time of the save. Every change
        # of capacity goes through ``services.change_capacity``, which counts under it.
        if errors:
            raise ValidationError(errors)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "ждёт подтверждения"
    CONFIRMED = "confirmed", "подтверждена"
    WAITLISTED = "waitlisted", "в листе ожидания"
    ATTENDED = "attended", "пришли"
    NO_SHOW = "no_show", "не пришли"
    CANCELLED = "cancelled", "отменена"
    EXPIRED = "expired", "не подтверждена вовремя"


# Counts against "one registration per e-mail per session".
ACTIVE_STATUSES = [
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
]
# Occupy seats for good (a PENDING registration occupies them only until its hold expires).
SEATED_STATUSES = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
]


class Registration(models.Model):
    """A party's registration for a session. Personal data: readable only with its token."""

    Status = RegistrationStatus

    session = models.ForeignKey(
        TourSession, verbose_name="сеанс", on_delete=models.PROTECT, related_name="registrations"
    )
    name = models.CharField("имя", max_length=200)
    email = models.EmailField("e-mail", max_length=254)
    phone = models.CharField("телефон", max_length=20)
    seats = models.PositiveSmallIntegerField("мест", validators=[MinValueValidator(1)])
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_salt = models.CharField(max_length=32, editable=False)
    hold_expires_at = models.DateTimeField("бронь до", null=True, blank=True)
    created_at = models.DateTimeField("создана", default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField("подтверждена", null=True, blank=True)
    cancelled_at = models.DateTimeField("отменена", null=True, blank=True)
    promoted_at = models.DateTimeField("из листа ожидания", null=True, blank=True)
    checked_in_at = models.DateTimeField("отметка о посещении", null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField("обезличена", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "заявка"
        verbose_name_plural = "заявки"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_registration_per_email",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="registration_has_seats"),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.seats}) — {self.session_id}"

    # A visitor may still cancel these (before the session starts).
    CANCELLABLE_STATUSES = (
        RegistrationStatus.PENDING,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )

    def can_be_cancelled(self, now: datetime.datetime | None = None) -> bool:
        return self.status in self.CANCELLABLE_STATUSES and self.session.starts_at > (
            now or timezone.now()
        )

    def waitlist_position(self) -> int | None:
        """1 for the next waitlisted party to get seats; None when not waitlisted."""
        if self.status != RegistrationStatus.WAITLISTED:
            return None
        ahead = self.session.registrations.filter(
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk),
            status=RegistrationStatus.WAITLISTED,
        )
        return ahead.count() + 1

    @staticmethod
    def holds_seats_q(prefix: str = "", now: datetime.datetime | None = None) -> Q:
        """Registrations that occupy seats: confirmed or attended, or pending within the hold."""
        now = now or timezone.now()
        return Q(**{f"{prefix}status__in": SEATED_STATUSES}) | Q(
            **{
                f"{prefix}status": RegistrationStatus.PENDING,
                f"{prefix}hold_expires_at__gt": now,
            }
        )


class Consent(models.Model):
    """One consent given with a registration (152-FZ): which text, when, from where."""

    class Kind(models.TextChoices):
        PROCESSING = "processing", "обработка персональных данных"
        TRANSFER_TO_HOST = "transfer_to_host", "передача данных предприятию"

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField("согласие", max_length=32, choices=Kind.choices)
    text_version = models.CharField("версия текста", max_length=32)
    granted_at = models.DateTimeField("дано", default=timezone.now)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "согласие"
        verbose_name_plural = "согласия"
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="one_consent_of_a_kind")
        ]
