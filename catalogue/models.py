"""Reference data shared by pages and booking, edited as Wagtail snippets."""

from datetime import date

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin
from wagtail.search import index


class NamedSlugModel(index.Indexed, models.Model):
    """A reference item with a Russian name and a URL slug clients filter by."""

    name = models.CharField("название", max_length=255, unique=True)
    slug = models.SlugField(
        "слаг",
        max_length=255,
        unique=True,
        allow_unicode=True,
        help_text="Часть адреса и значение фильтра в API, например «mashinostroenie».",
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Industry(NamedSlugModel):
    """A branch of industry: aviation, food, electronics…"""

    class Meta(NamedSlugModel.Meta):
        verbose_name = "отрасль"
        verbose_name_plural = "отрасли"


class District(NamedSlugModel):
    """A Moscow administrative okrug (ЦАО, ЮАО, Зеленоград…)."""

    abbreviation = models.CharField(
        "сокращение", max_length=16, blank=True, help_text="Например, «ЮАО»."
    )

    panels = [*NamedSlugModel.panels, FieldPanel("abbreviation")]

    class Meta(NamedSlugModel.Meta):
        verbose_name = "округ"
        verbose_name_plural = "округа"


class EventFormat(NamedSlugModel):
    """A kind of event the programme offers: offline excursion, master class, quiz…"""

    description = models.TextField("описание", blank=True)
    is_online = models.BooleanField("онлайн", default=False)
    sort_order = models.PositiveSmallIntegerField("порядок", default=0)

    panels = [
        *NamedSlugModel.panels,
        FieldPanel("description"),
        FieldPanel("is_online"),
        FieldPanel("sort_order"),
    ]

    class Meta(NamedSlugModel.Meta):
        verbose_name = "формат"
        verbose_name_plural = "форматы"
        ordering = ["sort_order", "name"]


class SeasonQuerySet(models.QuerySet):
    def current(self, today: date | None = None):
        """The season running today, else the next one to start; None when neither exists."""
        today = today or timezone.localdate()
        running = self.filter(start_date__lte=today, end_date__gte=today).order_by("start_date")
        return running.first() or self.filter(start_date__gt=today).order_by("start_date").first()


class Season(models.Model):
    """A season or stage of the programme, with its dates and the figures editors state."""

    class Kind(models.TextChoices):
        SEASON = "season", "сезон"
        STAGE = "stage", "этап"
        SERIES = "series", "серия"

    name = models.CharField("название", max_length=255)
    slug = models.SlugField("слаг", max_length=255, unique=True, allow_unicode=True)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.SEASON)
    start_date = models.DateField("начало")
    end_date = models.DateField("окончание")
    description = models.TextField("описание", blank=True)
    planned_excursions = models.PositiveIntegerField("экскурсий (заявлено)", null=True, blank=True)
    planned_master_classes = models.PositiveIntegerField(
        "мастер-классов (заявлено)", null=True, blank=True
    )
    enterprises_count = models.PositiveIntegerField("предприятий (заявлено)", null=True, blank=True)

    objects = SeasonQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading="Даты"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("planned_excursions"),
                FieldPanel("planned_master_classes"),
                FieldPanel("enterprises_count"),
            ],
            heading="Цифры сезона",
        ),
    ]

    class Meta:
        verbose_name = "сезон"
        verbose_name_plural = "сезоны и этапы"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="season_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Сезон не может закончиться раньше, чем начался."})


class AwardQuerySet(models.QuerySet):
    def published(self):
        """Awards an editor has published and that have not expired; drafts never reach
        the API (the same rule as ``pages.visibility.published`` for pages)."""
        return self.filter(live=True).filter(
            models.Q(expire_at__isnull=True) | models.Q(expire_at__gt=timezone.now())
        )


class Award(DraftStateMixin, RevisionMixin, index.Indexed, models.Model):
    """An award the programme or an enterprise received."""

    title = models.CharField("премия", max_length=255, help_text="Например, «Маршрут построен».")
    nomination = models.CharField("номинация", max_length=255, blank=True)
    place = models.PositiveSmallIntegerField(
        "место", null=True, blank=True, help_text="1, 2, 3… Пусто, если мест нет."
    )
    date = models.DateField("дата вручения")
    organiser = models.CharField("организатор", max_length=255, blank=True)
    description = models.TextField("описание", blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="изображение",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AwardQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("nomination"),
        index.SearchField("description"),
        index.FilterField("live"),
    ]
    panels = [
        FieldPanel("title"),
        FieldPanel("nomination"),
        FieldPanel("place"),
        FieldPanel("date"),
        FieldPanel("organiser"),
        FieldPanel("description"),
        FieldPanel("image"),
    ]

    class Meta:
        verbose_name = "награда"
        verbose_name_plural = "награды"
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y})" if self.date else self.title
