import datetime

import factory
from factory.django import DjangoModelFactory

from catalogue import models


class IndustryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Отрасль {n}")
    slug = factory.Sequence(lambda n: f"industry-{n}")

    class Meta:
        model = models.Industry


class DistrictFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Округ {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    abbreviation = factory.Sequence(lambda n: f"О{n}")

    class Meta:
        model = models.District


class EventFormatFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Формат {n}")
    slug = factory.Sequence(lambda n: f"format-{n}")

    class Meta:
        model = models.EventFormat


class SeasonFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Сезон {n}")
    slug = factory.Sequence(lambda n: f"season-{n}")
    start_date = datetime.date(2025, 11, 18)
    end_date = datetime.date(2025, 11, 28)

    class Meta:
        model = models.Season


class AwardFactory(DjangoModelFactory):
    """A published award (``live=False`` for a draft)."""

    title = factory.Sequence(lambda n: f"Премия {n}")
    nomination = "Промышленный маршрут"
    place = 1
    date = datetime.date(2023, 6, 1)
    live = True

    class Meta:
        model = models.Award
