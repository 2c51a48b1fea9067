"""Wagtail page types: the programme's home, news, enterprises, video series and awards.

The site is headless: clients read pages through GraphQL. Visiting a page on the CMS host
redirects to the same path on the front end (``FRONTEND_URL``).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from pages.blocks import BodyBlock

# The preview feature keeps its own table (PagePreview) and knows nothing of these page
# types, so page types depend on it and not the other way round. Imported here so that
# Django registers PagePreview with this app's models, and ``pages.models.PagePreview``
# keeps working.
from pages.preview import PagePreview as PagePreview
from pages.preview import preview_url
from pages.rows import object_from_row

IMAGE_MODEL = "wagtailimages.Image"


def image_field(verbose_name: str, help_text: str = "") -> models.ForeignKey:
    """An optional image chooser; deleting the image leaves the page intact."""
    return models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=verbose_name,
        help_text=help_text,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class HeadlessPage(Page):
    """A page that the front end renders: the CMS host redirects visitors there."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        """A page from a database row, without the constructors that do nothing for one
        (``pages.rows``)."""
        return object_from_row(cls, db, field_names, values)

    def serve(self, request, *args, **kwargs):
        return redirect(settings.FRONTEND_URL + (self.path_on_site(request) or "/"))

    def serve_preview(self, request, mode_name):
        """The admin's preview opens the front end with a signed token for this draft."""
        return redirect(preview_url(self, request.user))

    def path_on_site(self, request=None) -> str | None:
        """The page's path within its site ("/novosti/…/"), as the front end routes it."""
        url_parts = self.get_url_parts(request=request)
        return url_parts[2] if url_parts else None


class HomePage(HeadlessPage):
    """The programme's home: the root of its page tree."""

    lead = models.TextField("лид", blank=True, help_text="Короткий рассказ о программе.")
    hero_image = image_field("главное изображение")

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("hero_image")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.NewsIndexPage",
        "pages.EnterpriseIndexPage",
        "pages.VideoIndexPage",
        "pages.AwardsPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "главная страница"
        verbose_name_plural = "главные страницы"


class IndexPage(HeadlessPage):
    """A section that holds one kind of page (news, enterprises, videos)."""

    intro = models.TextField("вступление", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True


class NewsIndexPage(IndexPage):
    subpage_types = ["pages.NewsPage"]

    class Meta:
        verbose_name = "раздел новостей"
        verbose_name_plural = "разделы новостей"


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.NewsPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class NewsPage(HeadlessPage):
    """A news item: what happened, when, where it was first reported."""

    date = models.DateField("дата новости", default=timezone.localdate)
    lead = models.TextField("лид", max_length=600, help_text="Одно-два предложения для карточки.")
    hero_image = image_field("главное изображение", "Показывается в карточке и в начале новости.")
    body = StreamField(BodyBlock(), verbose_name="текст", blank=True)
    source_name = models.CharField("источник", max_length=255, blank=True)
    source_url = models.URLField("ссылка на источник", max_length=500, blank=True)
    related_enterprises = ParentalManyToManyField(
        "pages.EnterprisePage",
        verbose_name="предприятия",
        blank=True,
        related_name="news_items",
    )
    industries = ParentalManyToManyField(
        "catalogue.Industry", verbose_name="отрасли", blank=True, related_name="news_items"
    )
    tags = ClusterTaggableManager("теги", through=NewsPageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("lead"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("source_name"), FieldPanel("source_url")], heading="Источник"),
        MultiFieldPanel(
            [
                FieldPanel("related_enterprises"),
                FieldPanel("industries", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading="Связи",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["pages.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "новость"
        verbose_name_plural = "новости"
        ordering = ["-date", "-pk"]

    def clean(self):
        super().clean()
        if self.source_url and not self.source_name:
            raise ValidationError({"source_name": "Укажите название источника для ссылки."})


class EnterpriseIndexPage(IndexPage):
    subpage_types = ["pages.EnterprisePage"]

    class Meta:
        verbose_name = "раздел предприятий"
        verbose_name_plural = "разделы предприятий"


class EnterprisePage(HeadlessPage):
    """An enterprise, museum or technopark site that receives visitors."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "предприятие"
        MUSEUM = "museum", "музей"
        TECHNOPARK = "technopark", "площадка технопарка"

    short_description = models.TextField(
        "кратко", max_length=400, help_text="Чем занимается предприятие — для карточки."
    )
    body = StreamField(BodyBlock(), verbose_name="подробно", blank=True)
    logo = image_field("логотип")
    cover_image = image_field("обложка", "Фотография для карточки предприятия.")
    kind = models.CharField(
        "тип площадки", max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE
    )
    industries = ParentalManyToManyField(
        "catalogue.Industry", verbose_name="отрасли", blank=True, related_name="enterprises"
    )
    district = models.ForeignKey(
        "catalogue.District",
        verbose_name="округ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    address = models.CharField("адрес", max_length=500, blank=True)
    latitude = models.DecimalField(
        "широта",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "долгота",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField("сайт", max_length=500, blank=True)
    joined_year = models.PositiveSmallIntegerField(
        "год вступления в программу",
        null=True,
        blank=True,
        validators=[MinValueValidator(2019), MaxValueValidator(2100)],
        help_text="Программа работает с 2019 года.",
    )
    is_technopolis_resident = models.BooleanField("резидент ОЭЗ «Технополис Москва»", default=False)
    formats = ParentalManyToManyField(
        "catalogue.EventFormat", verbose_name="форматы", blank=True, related_name="enterprises"
    )
    min_age = models.PositiveSmallIntegerField(
        "минимальный возраст",
        null=True,
        blank=True,
        validators=[MaxValueValidator(21)],
        help_text="Сколько лет должно быть посетителю; пусто — без ограничений.",
    )
    id_document_required = models.BooleanField(
        "нужен документ, удостоверяющий личность", default=False
    )
    visitor_notes = models.TextField(
        "что важно знать посетителю", blank=True, help_text="Одежда, обувь, фото, опоздания."
    )
    awards = ParentalManyToManyField(
        "catalogue.Award", verbose_name="награды", blank=True, related_name="enterprises"
    )
    # Internal contacts: for the programme's staff only, never exposed through the API.
    contact_name = models.CharField("контактное лицо", max_length=255, blank=True)
    contact_email = models.EmailField("e-mail контакта", blank=True)
    contact_phone = models.CharField("телефон контакта", max_length=32, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("short_description"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("logo"), FieldPanel("cover_image")]),
        FieldPanel("body"),
        InlinePanel("gallery_images", label="Фотогалерея", heading="Фотогалерея"),
    ]
    details_panels = [
        FieldPanel("industries", widget=forms.CheckboxSelectMultiple),
        FieldPanel("formats", widget=forms.CheckboxSelectMultiple),
        FieldPanel("district"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading="Координаты"),
        FieldPanel("website"),
        FieldRowPanel([FieldPanel("joined_year"), FieldPanel("is_technopolis_resident")]),
        FieldPanel("awards"),
    ]
    visitor_panels = [
        FieldRowPanel([FieldPanel("min_age"), FieldPanel("id_document_required")]),
        FieldPanel("visitor_notes"),
    ]
    contact_panels = [
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_email"), FieldPanel("contact_phone")],
            heading="Внутренние контакты (не публикуются)",
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Содержание"),
            ObjectList(details_panels, heading="О предприятии"),
            ObjectList(visitor_panels, heading="Посетителям"),
            ObjectList(contact_panels, heading="Контакты"),
            ObjectList(Page.promote_panels, heading="Продвижение"),
            ObjectList(Page.settings_panels, heading="Настройки"),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("short_description", boost=2),
        index.SearchField("body"),
        index.SearchField("address"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["pages.EnterpriseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "предприятие"
        verbose_name_plural = "предприятия"
        permissions = [
            ("manage_enterprise_accounts", "Может создавать учётные записи предприятий"),
        ]

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "Укажите обе координаты или ни одной."})


class EnterpriseGalleryImage(Orderable):
    page = ParentalKey(EnterprisePage, related_name="gallery_images", on_delete=models.CASCADE)
    image = models.ForeignKey(
        IMAGE_MODEL, verbose_name="изображение", on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField("подпись", max_length=500, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = "фотография"
        verbose_name_plural = "фотогалерея"


class VideoIndexPage(IndexPage):
    subpage_types = ["pages.VideoSeriesPage"]

    class Meta:
        verbose_name = "раздел видео"
        verbose_name_plural = "разделы видео"


class VideoSeriesPage(HeadlessPage):
    """A video series (e.g. on working dynasties) with its ordered episodes."""

    class Platform(models.TextChoices):
        VK = "vk", "VK Видео"
        RUTUBE = "rutube", "RUTUBE"
        YOUTUBE = "youtube", "YouTube"
        OTHER = "other", "другая площадка"

    description = models.TextField("описание")
    cover_image = image_field("обложка")
    platform = models.CharField(
        "площадка", max_length=16, choices=Platform.choices, default=Platform.VK
    )
    platform_url = models.URLField("ссылка на сериал", max_length=500, blank=True)
    partner = models.CharField(
        "партнёр",
        max_length=255,
        blank=True,
        help_text="Например, АНО «Институт развития интернета».",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("cover_image"),
        FieldRowPanel([FieldPanel("platform"), FieldPanel("platform_url")]),
        FieldPanel("partner"),
        InlinePanel("episodes", label="Серия", heading="Серии", min_num=0),
    ]
    search_fields = [*Page.search_fields, index.SearchField("description")]
    parent_page_types = ["pages.VideoIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "видеосериал"
        verbose_name_plural = "видеосериалы"


class VideoEpisode(Orderable, ClusterableModel):
    """One episode of a series, in the order editors set."""

    page = ParentalKey(VideoSeriesPage, related_name="episodes", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField("номер серии", validators=[MinValueValidator(1)])
    title = models.CharField("название", max_length=255)
    description = models.TextField("описание", blank=True)
    video_url = models.URLField("ссылка на видео", max_length=500)
    duration_seconds = models.PositiveIntegerField(
        "длительность, секунд", null=True, blank=True, help_text="Например, 540 для 9 минут."
    )
    published_on = models.DateField("дата публикации", null=True, blank=True)
    enterprises = ParentalManyToManyField(
        EnterprisePage, verbose_name="предприятия в серии", blank=True, related_name="episodes"
    )

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("published_on")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("video_url"), FieldPanel("duration_seconds")]),
        FieldPanel("enterprises"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "серия"
        verbose_name_plural = "серии"


class AwardsPage(HeadlessPage):
    """The programme's awards, listed from the Award snippets."""

    intro = models.TextField("вступление", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = "страница наград"
        verbose_name_plural = "страницы наград"


@register_setting(icon="list-ol")
class ProgrammeSettings(BaseSiteSetting):
    """The programme's historical totals as editors state them, shown beside live counts."""

    excursions_since_2019 = models.PositiveIntegerField(
        "экскурсий с 2019 года", null=True, blank=True
    )
    master_classes_total = models.PositiveIntegerField(
        "мастер-классов всего", null=True, blank=True
    )
    offline_participants_total = models.PositiveIntegerField(
        "участников очных мероприятий", null=True, blank=True
    )
    online_audience_total = models.PositiveIntegerField("онлайн-аудитория", null=True, blank=True)
    enterprises_total = models.PositiveIntegerField("предприятий-участников", null=True, blank=True)
    awards_total = models.PositiveIntegerField("наград", null=True, blank=True)
    figures_as_of = models.DateField(
        "цифры актуальны на",
        null=True,
        blank=True,
        help_text="Если все цифры приведены на одну дату.",
    )
    figures_note = models.TextField(
        "пояснение к цифрам",
        blank=True,
        help_text="Откуда цифры и на какие даты, если даты у них разные.",
    )

    panels = [
        FieldPanel("excursions_since_2019"),
        FieldPanel("master_classes_total"),
        FieldPanel("offline_participants_total"),
        FieldPanel("online_audience_total"),
        FieldPanel("enterprises_total"),
        FieldPanel("awards_total"),
        FieldPanel("figures_as_of"),
        FieldPanel("figures_note"),
    ]

    class Meta:
        verbose_name = "итоги программы"
