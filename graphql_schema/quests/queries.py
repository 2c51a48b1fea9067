import django_filters
import graphene
from django.core.exceptions import ValidationError

from catalogue.models import Season
from graphql_schema.core.connections import ListField
from graphql_schema.core.errors import InvalidInput
from graphql_schema.core.filters import PublishedEnterpriseFilter
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import plan
from graphql_schema.core.policy import live, private
from graphql_schema.core.selection import selection_tree
from graphql_schema.quests import types
from quests import models, services


class QuizFilter(django_filters.FilterSet):
    """Filters of ``quizzes``."""

    industry = django_filters.CharFilter(field_name="industry__slug", label="Industry slug.")
    enterprise = PublishedEnterpriseFilter(field_name="enterprise", label="Enterprise's slug.")
    season = django_filters.CharFilter(field_name="season__slug", label="Season slug.")

    class Meta:
        model = models.Quiz
        fields = ["industry", "enterprise", "season"]


class TaskFilter(django_filters.FilterSet):
    season = django_filters.CharFilter(field_name="season__slug", label="Season slug.")

    class Meta:
        model = models.Task
        fields = ["season"]


class PrizeFilter(django_filters.FilterSet):
    season = django_filters.CharFilter(field_name="season__slug", label="Season slug.")

    class Meta:
        model = models.Prize
        fields = ["season"]


LEADERBOARD_SIZE = 100


class QuestQueries(graphene.ObjectType):
    quizzes = ListField(
        types.Quiz, filterset_class=QuizFilter, description="Published quizzes, by title."
    )
    quiz = graphene.Field(
        types.Quiz, slug=graphene.String(required=True), description="A published quiz by slug."
    )
    tasks = ListField(types.Task, filterset_class=TaskFilter, description="Tasks, in order.")
    prizes = ListField(
        types.Prize,
        filterset_class=PrizeFilter,
        description="Prizes one may claim, cheapest first.",
    )
    leaderboard = live(
        BoundedList(
            types.LeaderboardEntry,
            max_items=LEADERBOARD_SIZE,
            sized=True,
            season=graphene.String(required=True, description="The season's slug."),
            description="The season's top participants by points earned in it, by nickname.",
        )
    )
    participant = private(
        graphene.Field(
            types.Participant,
            token=graphene.String(required=True),
            description="The participant the token (from the e-mail link) opens; null if none.",
        )
    )

    @staticmethod
    def resolve_quizzes(root, info, **filters):
        tree = selection_tree(info, "edges", "node")
        return plan(models.Quiz.objects.published(), types.Quiz, tree).order_by("title", "pk")

    @staticmethod
    def resolve_quiz(root, info, slug):
        quizzes = plan(models.Quiz.objects.published(), types.Quiz, selection_tree(info))
        return quizzes.filter(slug=slug).first()

    @staticmethod
    def resolve_tasks(root, info, **filters):
        tree = selection_tree(info, "edges", "node")
        return plan(models.Task.objects.all(), types.Task, tree).order_by("sort_order", "pk")

    @staticmethod
    def resolve_prizes(root, info, **filters):
        prizes = models.Prize.objects.active().with_claimed()
        tree = selection_tree(info, "edges", "node")
        return plan(prizes, types.Prize, tree).order_by("sort_order", "price", "pk")

    @staticmethod
    def resolve_leaderboard(root, info, season):
        chosen = Season.objects.filter(slug=season).first()
        if chosen is None:
            raise InvalidInput("Сезон не найден.", field="season")
        return services.leaderboard(chosen, limit=LEADERBOARD_SIZE)

    @staticmethod
    def resolve_participant(root, info, token):
        try:
            return services.find_participant(token)
        except ValidationError:
            return None  # the same answer for a malformed, unknown, expired or forged token
