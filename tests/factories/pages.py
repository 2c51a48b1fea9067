"""Page factories; pages are created live under the ``parent`` given."""

import datetime

import factory
import wagtail_factories
from django.utils.text import slugify

from pages import models


class HeadlessPageFactory(wagtail_factories.PageFactory):
    slug = factory.LazyAttribute(lambda obj: slugify(obj.title, allow_unicode=True))

    class Meta:
        abstract = True


class HomePageFactory(HeadlessPageFactory):
    title = "Открой#Моспром"

    class Meta:
        model = models.HomePage


class NewsIndexPageFactory(HeadlessPageFactory):
    title = "Новости"
    slug = "novosti"

    class Meta:
        model = models.NewsIndexPage


class EnterpriseIndexPageFactory(HeadlessPageFactory):
    title = "Предприятия"
    slug = "predpriyatiya"

    class Meta:
        model = models.EnterpriseIndexPage


class VideoIndexPageFactory(HeadlessPageFactory):
    title = "Видео"
    slug = "video"

    class Meta:
        model = models.VideoIndexPage


class AwardsPageFactory(HeadlessPageFactory):
    title = "Награды"
    slug = "nagrady"

    class Meta:
        model = models.AwardsPage


class NewsPageFactory(HeadlessPageFactory):
    title = factory.Sequence(lambda n: f"Новость {n}")
    slug = factory.Sequence(lambda n: f"news-{n}")
    date = factory.Sequence(lambda n: datetime.date(2023, 1, 1) + datetime.timedelta(days=n))
    lead = "Короткий лид новости."

    class Meta:
        model = models.NewsPage


class EnterprisePageFactory(HeadlessPageFactory):
    title = factory.Sequence(lambda n: f"Завод {n}")
    slug = factory.Sequence(lambda n: f"zavod-{n}")
    short_description = "Делает полезные вещи."

    class Meta:
        model = models.EnterprisePage


class VideoSeriesPageFactory(HeadlessPageFactory):
    title = factory.Sequence(lambda n: f"Сериал {n}")
    slug = factory.Sequence(lambda n: f"serial-{n}")
    description = "Видеосериал о предприятиях."

    class Meta:
        model = models.VideoSeriesPage
