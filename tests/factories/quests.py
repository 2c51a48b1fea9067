import datetime
import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quests import models, tokens
from tests.factories.booking import TourSessionFactory
from tests.factories.catalogue import SeasonFactory
from tests.factories.pages import EnterprisePageFactory


def question(text: str, options: list[tuple[str, bool]], explanation: str = "") -> dict:
    """One question block in StreamField's raw form; ``options``: (text, correct)."""
    return {
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {
            "text": text,
            "image": None,
            "options": [
                {"type": "item", "id": str(uuid.uuid4()), "value": {"text": t, "correct": c}}
                for t, c in options
            ],
            "explanation": explanation,
        },
    }


def three_questions() -> list[dict]:
    return [
        question("Сколько будет 2 + 2?", [("3", False), ("4", True)], "Два и два — четыре."),
        question(
            "Что делают на заводе «Ил»?",
            [("Самолёты", True), ("Конфеты", False), ("Запчасти к самолётам", True)],
            "Конструкторское бюро проектирует самолёты.",
        ),
        question("Столица России?", [("Москва", True), ("Тверь", False)], "Конечно, Москва."),
    ]


class CurrentSeasonFactory(SeasonFactory):
    """A season running now (tasks of finished seasons are not checked)."""

    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))


class QuizFactory(DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Викторина {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    questions = factory.LazyFunction(three_questions)
    pass_mark = 2
    points = 10
    live = True

    class Meta:
        model = models.Quiz


class ParticipantFactory(DjangoModelFactory):
    """A participant; ``token`` is left on the object (a valid magic-link token)."""

    email = factory.Sequence(lambda n: f"player{n}@example.org")
    consent_version = "2026-12"
    consent_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = models.Participant
        skip_postgeneration_save = True

    @factory.post_generation
    def token(obj, create, extracted, **kwargs):
        salt = tokens.new_salt()
        models.ParticipantToken.objects.create(
            participant=obj,
            token_salt=salt,
            token_hash=tokens.hash_token(tokens.token_for_salt(salt)),
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )
        obj.token = tokens.token_for_salt(salt)


class TaskFactory(DjangoModelFactory):
    season = factory.SubFactory(CurrentSeasonFactory)
    title = factory.Sequence(lambda n: f"Задание {n}")
    slug = factory.Sequence(lambda n: f"task-{n}")
    kind = models.Task.Kind.PASS_QUIZ
    points = 5

    class Meta:
        model = models.Task


class PrizeFactory(DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Приз {n}")
    stock = 10
    price = 10

    class Meta:
        model = models.Prize


class SessionGateFactory(DjangoModelFactory):
    session = factory.LazyFunction(
        lambda: TourSessionFactory(enterprise=EnterprisePageFactory(parent=enterprise_index()))
    )
    task = factory.SubFactory(TaskFactory)

    class Meta:
        model = models.SessionGate


def enterprise_index():
    from pages.models import EnterpriseIndexPage

    return EnterpriseIndexPage.objects.first()
