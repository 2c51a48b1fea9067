"""The game layer: quizzes (questions without answers), tasks, prizes, the leaderboard,
and a participant's own progress (readable only with their token)."""

import graphene
from graphene_django import DjangoObjectType

from catalogue.models import Season as SeasonModel
from graphql_schema.catalogue.types import Industry, Season
from graphql_schema.core.connections import CountableConnection
from graphql_schema.core.enums import enum_from_choices
from graphql_schema.core.images import Image, image_field
from graphql_schema.core.lists import BoundedList
from graphql_schema.core.loading import loads, plan, related
from graphql_schema.core.policy import live, private
from graphql_schema.core.selection import selection_tree
from graphql_schema.core.streamfield import load_chosen
from graphql_schema.enterprises.relations import published_enterprises
from pages.models import VideoEpisode, VideoSeriesPage
from pages.visibility import published
from quests import models, services
from quests.blocks import MAX_OPTIONS, MAX_QUESTIONS
from quests.errors import QuestErrorCode as DomainErrorCode

QuestErrorCode = graphene.Enum.from_enum(DomainErrorCode, name="QuestErrorCode")


class QuestError(graphene.ObjectType):
    """An expected failure: nothing was changed."""

    field = graphene.String(description="The input field at fault, if one is.")
    code = graphene.Field(QuestErrorCode, required=True)
    message = graphene.String(required=True, description="For people, in Russian.")


TaskKind = enum_from_choices("TaskKind", models.Task.Kind.choices)
PrizeHandout = enum_from_choices("PrizeHandout", models.Prize.Handout.choices)
PrizeClaimStatus = enum_from_choices("PrizeClaimStatus", models.PrizeClaim.Status.choices)
PointsReason = enum_from_choices("PointsReason", models.PointsEntry.Reason.choices)

EPISODE_TYPE = "graphql_schema.videos.types.VideoEpisode"


def published_episodes():
    """Episodes of published series: a hidden series' episode is null, as its page is."""
    return VideoEpisode.objects.filter(page__in=published(VideoSeriesPage.objects.all()))


class QuizOption(graphene.ObjectType):
    """One option: chosen by its number. Whether it is right is never told here."""

    number = graphene.Int(required=True, description="1, 2, 3… in the order shown.")
    text = graphene.String(required=True)


class QuizQuestion(graphene.ObjectType):
    """A question as a participant sees it before answering."""

    id = graphene.ID(required=True, description="Send it back with the chosen options.")
    text = graphene.String(required=True)
    image = graphene.Field(Image)
    options = BoundedList(QuizOption, max_items=MAX_OPTIONS)
    several_correct = graphene.Boolean(
        required=True, description="More than one option is right: offer checkboxes."
    )

    @staticmethod
    def resolve_id(question, info):
        return question[0]

    @staticmethod
    def resolve_text(question, info):
        return question[1]["text"]

    @staticmethod
    def resolve_image(question, info):
        return question[1]["image"]

    @staticmethod
    def resolve_options(question, info):
        return [
            QuizOption(number=number, text=option["text"])
            for number, option in enumerate(question[1]["options"], 1)
        ]

    @staticmethod
    def resolve_several_correct(question, info):
        return len(services.correct_options(question[1])) > 1


class Quiz(DjangoObjectType):
    """A published quiz. Answers are scored on the server (``submitQuizAnswers``)."""

    image = image_field("image")
    enterprise = loads(
        graphene.Field("graphql_schema.enterprises.types.Enterprise"),
        prefetch=[published_enterprises("enterprise")],
    )
    industry = loads(graphene.Field(Industry), select=["industry"])
    season = loads(graphene.Field(Season), select=["season"])
    video_episode = loads(
        graphene.Field(
            "graphql_schema.videos.types.VideoEpisode",
            description="The episode to watch before the quiz, if it is about one.",
        ),
        prefetch=[related("video_episode", EPISODE_TYPE, published_episodes)],
    )
    questions = loads(
        BoundedList(QuizQuestion, max_items=MAX_QUESTIONS),
        # The questions' images, for all quizzes of a list at once.
        batch=[lambda tree, quizzes: load_chosen([quiz.questions for quiz in quizzes])],
    )
    question_count = graphene.Int(required=True)

    class Meta:
        model = models.Quiz
        fields = ["id", "slug", "title", "intro", "pass_mark", "points"]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_questions(quiz, info):
        # The converted blocks: their images were loaded for the whole list (batch).
        blocks = quiz.questions
        return [(block.id, block.value) for block in blocks if block.block_type == "question"]

    @staticmethod
    def resolve_question_count(quiz, info):
        return len(quiz.question_blocks())


QUIZ_TYPE = "graphql_schema.quests.types.Quiz"


def published_quizzes(lookup: str, to_attr: str | None = None) -> related:
    return related(lookup, QUIZ_TYPE, models.Quiz.objects.published, to_attr=to_attr)


class Task(DjangoObjectType):
    """A season's task. It is done when the server sees it done: a passed quiz, an
    excursion a host checked the participant in to."""

    kind = loads(graphene.Field(TaskKind, required=True), columns=["kind"])
    target = loads(
        graphene.Int(required=True, description="How many steps complete it."),
        columns=["kind", "target_count"],
    )
    season = loads(graphene.Field(Season, required=True), select=["season"])
    quiz = loads(graphene.Field(Quiz), prefetch=[published_quizzes("quiz")])
    industry = loads(graphene.Field(Industry), select=["industry"])

    class Meta:
        model = models.Task
        fields = ["id", "slug", "title", "description", "points"]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_kind(task, info):
        return str(task.kind)

    @staticmethod
    def resolve_target(task, info):
        return task.target


@live  # stock left changes with every claim
class Prize(DjangoObjectType):
    """A prize with its stock left, claimed for points (``claimPrize``)."""

    image = image_field("image")
    season = loads(graphene.Field(Season), select=["season"])
    handout = graphene.Field(PrizeHandout, required=True)
    stock_left = graphene.Int(required=True)

    class Meta:
        model = models.Prize
        fields = ["id", "title", "description", "stock", "price", "handout_details"]
        use_connection = True
        connection_class = CountableConnection

    @staticmethod
    def resolve_handout(prize, info):
        return str(prize.handout)

    @staticmethod
    def resolve_stock_left(prize, info):
        return prize.stock_left()


class LeaderboardEntry(graphene.ObjectType):
    """A place on the season's leaderboard: a nickname, never an e-mail or a name."""

    rank = graphene.Int(required=True, description="Equal points share a rank.")
    nickname = graphene.String(required=True)
    points = graphene.Int(required=True, description="Earned in the season.")


class AnsweredQuestion(graphene.ObjectType):
    """A question the participant answered: now they may read what was right and why."""

    question_id = graphene.ID(required=True)
    text = graphene.String(required=True)
    chosen = BoundedList(graphene.Int, max_items=MAX_OPTIONS)
    correct = graphene.Boolean(required=True)
    correct_options = BoundedList(graphene.Int, max_items=MAX_OPTIONS)
    explanation = graphene.String(required=True)


def answered_questions(quiz: models.Quiz, results) -> list[AnsweredQuestion]:
    """``results`` (question id, chosen, correct) with the quiz's texts and explanations,
    in the quiz's order; a question an editor removed since is left out."""
    questions = dict(quiz.question_blocks())
    order = {question_id: index for index, question_id in enumerate(questions)}
    rows = [
        AnsweredQuestion(
            question_id=question_id,
            text=questions[question_id]["text"],
            chosen=chosen,
            correct=correct,
            correct_options=services.correct_options(questions[question_id]),
            explanation=questions[question_id]["explanation"] or "",
        )
        for question_id, chosen, correct in results
        if question_id in questions
    ]
    return sorted(rows, key=lambda row: order[row.question_id])


@private
class QuizAttempt(DjangoObjectType):
    """One submission of a quiz: the first is scored, later ones are practice."""

    # The quiz as it is now, published or not: the attempt was made on it.
    quiz = loads(
        graphene.Field(Quiz, required=True),
        prefetch=[related("quiz", QUIZ_TYPE, models.Quiz.objects.all)],
    )
    answers = loads(
        BoundedList(AnsweredQuestion, max_items=MAX_QUESTIONS),
        prefetch=["answers"],
        needs=["quiz"],
    )

    class Meta:
        model = models.QuizAttempt
        fields = ["id", "scored", "passed", "correct_count", "question_count", "submitted_at"]

    @staticmethod
    def resolve_answers(attempt, info):
        rows = [(a.question_id, a.chosen, a.correct) for a in attempt.answers.all()]
        return answered_questions(attempt.quiz, rows)


@private
class PointsEntry(DjangoObjectType):
    """One change of points and why; the balance is their sum."""

    reason = graphene.Field(PointsReason, required=True)

    class Meta:
        model = models.PointsEntry
        fields = ["id", "amount", "description", "created_at"]

    @staticmethod
    def resolve_reason(entry, info):
        return str(entry.reason)


PRIZE_TYPE = "graphql_schema.quests.types.Prize"


@private
class PrizeClaim(DjangoObjectType):
    """A prize the participant claimed: shown at the handout, marked when handed out."""

    prize = loads(
        graphene.Field(Prize, required=True),
        prefetch=[related("prize", PRIZE_TYPE, models.Prize.objects.with_claimed)],
    )
    status = graphene.Field(PrizeClaimStatus, required=True)

    class Meta:
        model = models.PrizeClaim
        fields = ["id", "price", "claimed_at", "handed_out_at"]

    @staticmethod
    def resolve_status(claim, info):
        return str(claim.status)


class TaskProgress(graphene.ObjectType):
    task = graphene.Field(Task, required=True)
    done = graphene.Int(required=True, description="Steps done, up to the task's target.")
    completed = graphene.Boolean(required=True)


@private  # one participant's personal data and progress
class Participant(graphene.ObjectType):
    """The participant a token opens: their points, history, tasks, attempts and claims."""

    email = graphene.String(required=True)
    nickname = graphene.String(description="Shown on the leaderboard; null: not chosen yet.")
    on_leaderboard = graphene.Boolean(required=True)
    points = graphene.Int(required=True, description="The balance: the sum of the history.")
    history = BoundedList(PointsEntry, max_items=200, sized=True, description="Newest first.")
    tasks = BoundedList(
        TaskProgress,
        max_items=100,
        season=graphene.String(description="A season's slug; by default the current season."),
        description="The season's tasks and how far along each is.",
    )
    attempts = BoundedList(QuizAttempt, max_items=100, sized=True, description="Newest first.")
    claims = BoundedList(PrizeClaim, max_items=50)

    @staticmethod
    def resolve_email(participant, info):
        return participant.email

    @staticmethod
    def resolve_nickname(participant, info):
        return participant.nickname

    @staticmethod
    def resolve_on_leaderboard(participant, info):
        return participant.on_leaderboard

    @staticmethod
    def resolve_points(participant, info):
        return participant.balance()

    @staticmethod
    def resolve_history(participant, info):
        return participant.points.order_by("-created_at", "-pk")

    @staticmethod
    def resolve_attempts(participant, info):
        attempts = participant.attempts.order_by("-submitted_at", "-pk")
        return plan(attempts, QuizAttempt, selection_tree(info))

    @staticmethod
    def resolve_claims(participant, info):
        claims = participant.claims.order_by("-claimed_at", "-pk")
        return plan(claims, PrizeClaim, selection_tree(info))

    @staticmethod
    def resolve_tasks(participant, info, season=None):
        seasons = SeasonModel.objects
        chosen = seasons.filter(slug=season).first() if season else seasons.current()
        if chosen is None:
            return []
        # Progress reads each task's kind and target, whatever the client selects.
        tree = {**selection_tree(info, "task"), "kind": {}, "target": {}}
        tasks = list(plan(models.Task.objects.filter(season=chosen), Task, tree))
        progress = services.task_progress(participant, tasks)
        return [
            TaskProgress(task=task, done=progress[task.pk][0], completed=progress[task.pk][1])
            for task in tasks
        ]
