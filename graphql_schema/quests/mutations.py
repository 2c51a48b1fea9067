"""Game mutations: expected failures come back as ``errors``, never as GraphQL errors."""

import graphene
from django.core.exceptions import ValidationError

from graphql_schema.booking.mutations import client_ip
from graphql_schema.core.errors import payload_errors
from graphql_schema.core.inputs import parse_id
from graphql_schema.core.lists import BoundedList
from graphql_schema.quests import types
from quests import services
from quests.blocks import MAX_OPTIONS, MAX_QUESTIONS
from quests.errors import QuestErrorCode as Code
from quests.errors import quest_error


def errors_from(error: ValidationError) -> list[types.QuestError]:
    """Turn a domain ValidationError into the payload's error list."""
    return payload_errors(error, types.QuestError, Code)


class QuestMutation(graphene.Mutation):
    """Runs ``perform`` after the client's rate limit; a ValidationError becomes
    ``errors`` and changes nothing."""

    errors = BoundedList(types.QuestError, max_items=20)

    class Meta:
        abstract = True

    action = ""

    @classmethod
    def mutate(cls, root, info, **kwargs):
        try:
            services.check_rate_limit(cls.action, client_ip(info.context))
            return cls.perform(info, **kwargs)
        except ValidationError as error:
            return cls(errors=errors_from(error))

    @classmethod
    def perform(cls, info, **kwargs):
        raise NotImplementedError


class RequestParticipantLink(QuestMutation):
    """E-mail a link that opens the game (no passwords). The answer is the same whether
    or not the address has played before."""

    class Arguments:
        email = graphene.String(required=True)
        consent_to_processing = graphene.Boolean(
            required=True, description="Consent to processing personal data (152-FZ)."
        )

    accepted = graphene.Boolean(required=True, description="True: a letter is on its way.")
    action = "link"

    @classmethod
    def perform(cls, info, email, consent_to_processing):
        services.request_link(email, consent_to_processing, ip_address=client_ip(info.context))
        return cls(accepted=True, errors=[])

    def resolve_accepted(self, info):
        return bool(self.accepted)


class QuizAnswerInput(graphene.InputObjectType):
    question_id = graphene.ID(required=True)
    options = graphene.List(
        graphene.NonNull(graphene.Int), required=True, description="Chosen option numbers."
    )


class QuestionResult(graphene.ObjectType):
    question_id = graphene.ID(required=True)
    correct = graphene.Boolean(required=True)
    correct_options = BoundedList(graphene.Int, max_items=MAX_OPTIONS)
    explanation = graphene.String(required=True)


class SubmitQuizAnswers(QuestMutation):
    """Answer every question of a quiz; the server scores it. The first attempt counts
    for points, later ones are practice (checked and explained, no points)."""

    class Arguments:
        token = graphene.String(required=True)
        quiz_slug = graphene.String(required=True)
        answers = graphene.List(graphene.NonNull(QuizAnswerInput), required=True)

    attempt = graphene.Field(types.QuizAttempt)
    questions = BoundedList(QuestionResult, max_items=MAX_QUESTIONS)
    points_awarded = graphene.Int(description="By this attempt: the quiz's and completed tasks'.")
    completed_tasks = BoundedList(types.Task, max_items=100)
    action = "answers"

    @classmethod
    def perform(cls, info, token, quiz_slug, answers):
        chosen = services.answers_by_question((a.question_id, a.options) for a in answers)
        outcome = services.submit_answers(token, quiz_slug, chosen)
        return cls(
            attempt=outcome.attempt,
            questions=[
                QuestionResult(
                    question_id=q.question_id,
                    correct=q.correct,
                    correct_options=q.correct_options,
                    explanation=q.explanation,
                )
                for q in outcome.questions
            ],
            points_awarded=outcome.points_awarded,
            completed_tasks=outcome.completed_tasks,
            errors=[],
        )

    def resolve_questions(self, info):
        return self.questions or []

    def resolve_completed_tasks(self, info):
        return self.completed_tasks or []


class ClaimPrize(QuestMutation):
    """Exchange points for a prize while stock lasts."""

    class Arguments:
        token = graphene.String(required=True)
        prize_id = graphene.ID(required=True)

    claim = graphene.Field(types.PrizeClaim)
    points = graphene.Int(description="The balance after the claim.")
    action = "claim"

    @classmethod
    def perform(cls, info, token, prize_id):
        parsed = parse_id(prize_id)
        if parsed is None:
            raise quest_error(Code.NOT_FOUND, "Приз не найден.", field="prize_id")
        claim = services.claim_prize(token, parsed)
        return cls(claim=claim, points=claim.participant.balance(), errors=[])


class SetNickname(QuestMutation):
    """Choose the leaderboard nickname (empty: none) and whether to be on it at all."""

    class Arguments:
        token = graphene.String(required=True)
        nickname = graphene.String(description="3–32 characters; empty to clear.")
        on_leaderboard = graphene.Boolean(description="False: leave the leaderboard.")

    participant = graphene.Field(types.Participant)
    action = "nickname"

    @classmethod
    def perform(cls, info, token, nickname=None, on_leaderboard=None):
        participant = services.set_nickname(token, nickname, on_leaderboard)
        return cls(participant=participant, errors=[])


class QuestMutations(graphene.ObjectType):
    request_participant_link = RequestParticipantLink.Field()
    submit_quiz_answers = SubmitQuizAnswers.Field()
    claim_prize = ClaimPrize.Field()
    set_nickname = SetNickname.Field()
