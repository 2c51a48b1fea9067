import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from booking import models, tokens
from tests.factories.catalogue import EventFormatFactory


class TourSessionFactory(DjangoModelFactory):
    """A scheduled session ten days ahead (registration open); pass ``enterprise``."""

    event_format = factory.SubFactory(EventFormatFactory)
    title = factory.Sequence(lambda n: f"Экскурсия {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=10)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda obj: obj.starts_at + datetime.timedelta(hours=1))
    capacity = 20
    max_party_size = 4
    meeting_point = "Проходная №1"

    class Meta:
        model = models.TourSession


class RegistrationFactory(DjangoModelFactory):
    """A registration row as the services would store it; ``token`` is left on the object."""

    session = factory.SubFactory(TourSessionFactory)
    name = factory.Sequence(lambda n: f"Посетитель {n}")
    email = factory.Sequence(lambda n: f"visitor{n}@example.org")
    phone = "+79001234567"
    seats = 1
    status = models.Registration.Status.CONFIRMED
    token_salt = factory.LazyFunction(tokens.new_salt)
    token_hash = factory.LazyAttribute(
        lambda obj: tokens.hash_token(tokens.token_for_salt(obj.token_salt))
    )

    class Meta:
        model = models.Registration
        skip_postgeneration_save = True

    @factory.post_generation
    def token(obj, create, extracted, **kwargs):
        obj.token = tokens.token_for_salt(obj.token_salt)
