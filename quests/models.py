"""Quizzes, tasks, points and prizes of the programme's mini-app.

Points are never a stored counter: every change is a ``PointsEntry`` row with its reason,
and a balance is their sum. Prize stock left is counted from claim rows the same way.
``quests.services`` changes both inside transactions that lock the prize and the
participant, as booking locks a session.
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
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, RevisionMixin
from wagtail.search import index

from quests.blocks import MAX_QUESTIONS, QuestionBlock


class PublishedQuerySet(models.QuerySet):
    def published(self):
        """What an editor has published; drafts never reach the API or take answers."""
        return self.filter(live=True)


class Quiz(DraftStateMixin, RevisionMixin, index.Indexed, models.Model):
    """A quiz about an enterprise, an industry or a video episode, scored on the server."""

    title = models.CharField("название", max_length=255)
    slug = models.SlugField(
        "слаг",
        max_length=255,
        unique=True,
        allow_unicode=True,
        help_text="Часть адреса в мини-приложении, например «kak-delayut-tramvai».",
    )
    intro = models.TextField("вступление", blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="обложка",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    season = models.ForeignKey(
        "catalogue.Season",
        verbose_name="сезон",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
    )
    enterprise = models.ForeignKey(
        "pages.EnterprisePage",
        verbose_name="предприятие",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
    )
    industry = models.ForeignKey(
        "catalogue.Industry",
        verbose_name="отрасль",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
    )
    video_episode = models.ForeignKey(
        "pages.VideoEpisode",
        verbose_name="серия видео",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        help_text="Викторина по серии: её проходят после просмотра.",
    )
    questions = StreamField(
        [("question", QuestionBlock())], verbose_name="вопросы", min_num=1, max_num=MAX_QUESTIONS
    )
    pass_mark = models.PositiveSmallIntegerField(
        "проходной балл",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Сколько вопросов нужно решить верно, чтобы викторина была пройдена.",
    )
    points = models.PositiveSmallIntegerField(
        "баллов за прохождение", default=10, validators=[MaxValueValidator(1000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublishedQuerySet.as_manager()

    search_fields = [index.SearchField("title"), index.FilterField("live")]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("intro"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldPanel("season"),
                FieldRowPanel([FieldPanel("enterprise"), FieldPanel("industry")]),
                FieldPanel("video_episode"),
            ],
            heading="О чём викторина",
        ),
        FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("points")], heading="Оценка"),
        FieldPanel("questions"),
    ]

    class Meta:
        verbose_name = "викторина"
        verbose_name_plural = "викторины"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def question_blocks(self) -> list[tuple[str, dict]]:
        """The questions as (block id, plain value) in the editor's order, read from the
        stored JSON: scoring needs no image loaded (the image is its id here)."""
        questions = []
        for raw in self.questions.raw_data:
            if raw.get("type") != "question":
                continue
            value = dict(raw["value"])
            # ListBlock items are stored as {"type": "item", "value": …, "id": …}.
            value["options"] = [
                option["value"] if isinstance(option, dict) and "type" in option else option
                for option in value.get("options") or []
            ]
            questions.append((raw.get("id") or "", value))
        return questions

    def clean(self):
        count = len(self.question_blocks())
        if self.pass_mark and count and self.pass_mark > count:
            raise ValidationError(
                {"pass_mark": f"Проходной балл не может быть больше числа вопросов ({count})."}
            )


class Participant(models.Model):
    """Someone who plays: known by an e-mail, shown on the leaderboard by a nickname only.

    Personal data (the e-mail) is readable only with one of the participant's tokens.
    """

    email = models.EmailField("e-mail", max_length=254, unique=True)
    nickname = models.CharField("псевдоним", max_length=32, null=True, blank=True)
    # The nickname case-folded in Python (SQLite folds ASCII only): «Ракета» and «ракета»
    # are one nickname, on every database.
    nickname_key = models.CharField(max_length=32, null=True, unique=True, editable=False)
    on_leaderboard = models.BooleanField("в таблице лидеров", default=True)
    consent_version = models.CharField("версия согласия", max_length=32)
    consent_at = models.DateTimeField("согласие дано")
    consent_ip = models.GenericIPAddressField("IP-адрес согласия", null=True, blank=True)
    created_at = models.DateTimeField("создан", default=timezone.now)
    last_seen_at = models.DateTimeField("последняя активность", default=timezone.now)
    anonymised_at = models.DateTimeField("обезличен", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "участник"
        verbose_name_plural = "участники"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.nickname or f"Участник №{self.pk}"

    def balance(self) -> int:
        """Points to spend: the sum of the ledger."""
        return self.points.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


class ParticipantToken(models.Model):
    """One magic link's token: stored as a hash, rebuilt from the salt only with the key."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="tokens")
    token_salt = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "ссылка для входа"
        verbose_name_plural = "ссылки для входа"

    def is_valid(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())


class QuizAttempt(models.Model):
    """One submission of a quiz's answers; the first is scored, later ones are practice."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    scored = models.BooleanField("засчитана", default=True)
    correct_count = models.PositiveSmallIntegerField("верных ответов")
    question_count = models.PositiveSmallIntegerField("вопросов")
    passed = models.BooleanField("пройдена")
    submitted_at = models.DateTimeField("отправлена", default=timezone.now)

    class Meta:
        verbose_name = "попытка"
        verbose_name_plural = "попытки"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "quiz"],
                condition=Q(scored=True),
                name="one_scored_attempt_per_quiz",
            )
        ]


class AnsweredQuestion(models.Model):
    """How one question of an attempt was answered: the statistics and the explanation
    the participant may read from then on."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=64)
    chosen = models.JSONField("выбранные варианты", default=list)
    correct = models.BooleanField("верно")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_id"], name="one_answer_per_question"
            )
        ]


class Task(index.Indexed, models.Model):
    """A season's task: what a participant does, checked by the server from what it knows."""

    class Kind(models.TextChoices):
        PASS_QUIZ = "pass_quiz", "пройти викторину"
        PASS_INDUSTRY_QUIZZES = "pass_industry_quizzes", "пройти N викторин отрасли"
        ATTEND_EXCURSION = "attend_excursion", "побывать на экскурсии"
        ATTEND_INDUSTRIES = "attend_industries", "побывать на экскурсиях N отраслей"
        WATCH_EPISODE = "watch_episode", "посмотреть серию и ответить на её викторину"

    season = models.ForeignKey(
        "catalogue.Season", verbose_name="сезон", on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField("название", max_length=255)
    slug = models.SlugField("слаг", max_length=255, unique=True, allow_unicode=True)
    description = models.TextField("описание", blank=True)
    kind = models.CharField("что сделать", max_length=32, choices=Kind.choices)
    quiz = models.ForeignKey(
        Quiz,
        verbose_name="викторина",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="Для «пройти викторину».",
    )
    industry = models.ForeignKey(
        "catalogue.Industry",
        verbose_name="отрасль",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="Для «пройти N викторин отрасли».",
    )
    video_episode = models.ForeignKey(
        "pages.VideoEpisode",
        verbose_name="серия видео",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="Для «посмотреть серию»: засчитывается, когда пройдена викторина этой серии.",
    )
    target_count = models.PositiveSmallIntegerField(
        "сколько",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="N для заданий «N викторин» и «N отраслей».",
    )
    points = models.PositiveSmallIntegerField(
        "баллов за выполнение", default=0, validators=[MaxValueValidator(1000)]
    )
    sort_order = models.PositiveSmallIntegerField("порядок", default=0)

    search_fields = [index.SearchField("title")]
    panels = [
        FieldPanel("season"),
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [
                FieldPanel("quiz"),
                FieldPanel("industry"),
                FieldPanel("video_episode"),
                FieldPanel("target_count"),
            ],
            heading="Условие",
        ),
        FieldRowPanel([FieldPanel("points"), FieldPanel("sort_order")]),
    ]

    class Meta:
        verbose_name = "задание"
        verbose_name_plural = "задания"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.title

    # Which fields each kind needs.
    REQUIRED = {
        Kind.PASS_QUIZ: ("quiz",),
        Kind.PASS_INDUSTRY_QUIZZES: ("industry",),
        Kind.ATTEND_EXCURSION: (),
        Kind.ATTEND_INDUSTRIES: (),
        Kind.WATCH_EPISODE: ("video_episode",),
    }
    FIELD_LABELS = {"quiz": "викторину", "industry": "отрасль", "video_episode": "серию видео"}

    def clean(self):
        errors = {}
        for name in self.REQUIRED.get(self.kind, ()):
            if getattr(self, f"{name}_id") is None:
                errors[name] = f"Для этого задания выберите {self.FIELD_LABELS[name]}."
        if errors:
            raise ValidationError(errors)

    @property
    def target(self) -> int:
        """How many steps complete it."""
        counted = (self.Kind.PASS_INDUSTRY_QUIZZES, self.Kind.ATTEND_INDUSTRIES)
        return self.target_count if self.kind in counted else 1


class TaskCompletion(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="completions"
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "выполненное задание"
        verbose_name_plural = "выполненные задания"
        constraints = [
            models.UniqueConstraint(fields=["participant", "task"], name="task_completed_once")
        ]


class PointsEntry(models.Model):
    """One change of a participant's points and why; the balance is the sum of these."""

    class Reason(models.TextChoices):
        QUIZ = "quiz", "викторина пройдена"
        ATTENDANCE = "attendance", "посещение экскурсии"
        ATTENDANCE_REVOKED = "attendance_revoked", "посещение снято"
        TASK = "task", "задание выполнено"
        PRIZE = "prize", "приз"
        PRIZE_RETURNED = "prize_returned", "заявка на приз отменена"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="points")
    amount = models.IntegerField("баллы")
    reason = models.CharField("за что", max_length=32, choices=Reason.choices)
    # What the entry is for, unique per participant: a retried event never counts twice.
    source = models.CharField("основание", max_length=100)
    season = models.ForeignKey(
        "catalogue.Season", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField("описание", max_length=300)
    created_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "начисление баллов"
        verbose_name_plural = "история баллов"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "source"], name="points_once_per_source"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero"),
        ]


class PrizeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_claimed(self):
        """Annotate ``claimed_count``: claims holding one of the stock, counted from rows."""
        return self.annotate(
            claimed_count=models.Count("claims", filter=~Q(claims__status="cancelled"))
        )


class Prize(index.Indexed, models.Model):
    """A branded prize with a stock: claimed for points while it lasts."""

    class Handout(models.TextChoices):
        AT_EXCURSION = "at_excursion", "на экскурсии"
        PICKUP_POINT = "pickup_point", "в пункте выдачи"
        POST = "post", "почтой"

    title = models.CharField("название", max_length=255)
    description = models.TextField("описание", blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="изображение",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    season = models.ForeignKey(
        "catalogue.Season",
        verbose_name="сезон",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prizes",
    )
    stock = models.PositiveIntegerField(
        "сколько всего", help_text="Всего призов; оставшиеся считаются по заявкам."
    )
    price = models.PositiveIntegerField("цена в баллах", validators=[MinValueValidator(1)])
    handout = models.CharField(
        "как выдаётся", max_length=16, choices=Handout.choices, default=Handout.PICKUP_POINT
    )
    handout_details = models.TextField(
        "где и когда выдаётся", blank=True, help_text="Адрес пункта выдачи, часы работы…"
    )
    is_active = models.BooleanField("можно получить", default=True)
    sort_order = models.PositiveSmallIntegerField("порядок", default=0)

    objects = PrizeQuerySet.as_manager()

    search_fields = [index.SearchField("title")]
    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldPanel("season"),
        FieldRowPanel([FieldPanel("stock"), FieldPanel("price")]),
        FieldPanel("handout"),
        FieldPanel("handout_details"),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        verbose_name = "приз"
        verbose_name_plural = "призы"
        ordering = ["sort_order", "price", "pk"]

    def __str__(self) -> str:
        return self.title

    def claimed(self) -> int:
        """Claims that hold one of the stock (uses the annotation when present)."""
        annotated = getattr(self, "claimed_count", None)
        if annotated is not None:
            return annotated
        return self.claims.exclude(status=PrizeClaim.Status.CANCELLED).count()

    def stock_left(self) -> int:
        return max(self.stock - self.claimed(), 0)


class PrizeClaim(models.Model):
    """A participant's claim of one prize, paid for by a ledger entry."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "ждёт выдачи"
        HANDED_OUT = "handed_out", "выдан"
        CANCELLED = "cancelled", "отменён"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="claims")
    prize = models.ForeignKey(Prize, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.CLAIMED
    )
    price = models.PositiveIntegerField("списано баллов")
    claimed_at = models.DateTimeField("заявка", default=timezone.now)
    handed_out_at = models.DateTimeField("выдан", null=True, blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто выдал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "заявка на приз"
        verbose_name_plural = "заявки на призы"
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "prize"],
                condition=~Q(status="cancelled"),
                name="one_claim_per_prize",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prize} — {self.participant}"


class SessionGate(models.Model):
    """A session whose registration opens only to participants who completed a task."""

    session = models.OneToOneField(
        "booking.TourSession",
        verbose_name="сеанс",
        on_delete=models.CASCADE,
        related_name="gate",
    )
    task = models.ForeignKey(
        Task, verbose_name="нужное задание", on_delete=models.PROTECT, related_name="gates"
    )

    panels = [FieldPanel("session"), FieldPanel("task")]

    class Meta:
        verbose_name = "сеанс по заданию"
        verbose_name_plural = "сеансы по заданию"

    def __str__(self) -> str:
        return f"{self.session} — {self.task}"
