"""A participant's whole game, through GraphQL and their mailbox: link → quiz → task →
gated registration → points → prize → handed out. And what nobody else can read."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking import services as booking
from booking.models import Registration
from pages.accounts import ensure_enterprise_group
from quests import services
from quests.models import PrizeClaim, SessionGate, Task
from tests import factories
from tests.admin_login import admin_login
from tests.graphql.test_booking_api import REGISTER, register_input

CODE = re.compile(r"Код для приложения: ([0-9a-f]{64})")

LINK = """mutation($email: String!) {
  requestParticipantLink(email: $email, consentToProcessing: true) {
    accepted errors { field code message } } }"""

QUIZ = """query($slug: String!) { quiz(slug: $slug) {
  title passMark points questionCount
  questions { id text severalCorrect options { number text } } } }"""

SUBMIT = """mutation($token: String!, $slug: String!, $answers: [QuizAnswerInput!]!) {
  submitQuizAnswers(token: $token, quizSlug: $slug, answers: $answers) {
    attempt { scored passed correctCount questionCount }
    questions { questionId correct correctOptions explanation }
    pointsAwarded completedTasks { slug title }
    errors { field code message } } }"""

ME = """query($token: String!) { participant(token: $token) {
  email nickname points
  history { amount reason description }
  tasks { task { slug } done completed }
  attempts { scored quiz { slug } answers { questionId correct explanation } }
  claims { id status prize { title stockLeft } } } }"""

CLAIM = """mutation($token: String!, $prize: ID!) { claimPrize(token: $token, prizeId: $prize) {
  claim { status price prize { stockLeft } } points errors { field code message } } }"""

NICKNAME = """mutation($token: String!, $nickname: String) {
  setNickname(token: $token, nickname: $nickname) {
    participant { nickname } errors { field code message } } }"""

BOARD = """query($season: String!) { leaderboard(season: $season) { rank nickname points } }"""

SESSION = """query($id: ID!) { session(id: $id) { requiredTask { slug title } } }"""


@pytest.fixture
def game(site_tree):
    season = factories.CurrentSeasonFactory(slug="zima")
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Опытный завод «Ил»"
    )
    quiz = factories.QuizFactory(season=season, slug="il", enterprise=enterprise, points=40)
    task = factories.TaskFactory(
        season=season, kind=Task.Kind.PASS_QUIZ, quiz=quiz, slug="znatok", title="Знаток", points=20
    )
    gated = factories.TourSessionFactory(enterprise=enterprise, season=season, title="Закрытый цех")
    SessionGate.objects.create(session=gated, task=task)
    prize = factories.PrizeFactory(
        title="Термос", price=50, stock=3, season=season, handout="at_excursion"
    )
    return season, quiz, task, gated, prize


def right_answers(data):
    """Right answers chosen as a participant would, from the explanations of a practice run."""
    return [
        {"questionId": q["questionId"], "options": q["correctOptions"]}
        for q in data["submitQuizAnswers"]["questions"]
    ]


def test_the_whole_game(graphql, game, django_capture_on_commit_callbacks, django_user_model):
    season, quiz, task, gated, prize = game

    # 1. A magic link by e-mail: the code in it is the participant's token.
    with django_capture_on_commit_callbacks(execute=True):
        sent = graphql(LINK, {"email": "Olga@Example.org"})["requestParticipantLink"]
    assert sent == {"accepted": True, "errors": []}
    (letter,) = mail.outbox
    token = CODE.search(letter.body).group(1)

    # 2. The gated session says which task opens it, and refuses her for now.
    assert graphql(SESSION, {"id": str(gated.pk)})["session"]["requiredTask"]["slug"] == "znatok"
    refused = graphql(REGISTER, register_input(gated, email="olga@example.org", seats=1))
    (error,) = refused["registerForSession"]["errors"]
    assert error["code"] == "TASK_REQUIRED" and "«Знаток»" in error["message"]
    assert not Registration.objects.exists()

    # 3. The quiz, without answers; a wrong first try is scored and fails.
    shown = graphql(QUIZ, {"slug": "il"})["quiz"]
    assert shown["questionCount"] == 3
    assert [q["severalCorrect"] for q in shown["questions"]] == [False, True, False]
    # The last option of each: «4» is right, the others are not (or not all that is right).
    wrong = [{"questionId": q["id"], "options": [len(q["options"])]} for q in shown["questions"]]
    failed = graphql(SUBMIT, {"token": token, "slug": "il", "answers": wrong})
    assert failed["submitQuizAnswers"]["attempt"] == {
        "scored": True, "passed": False, "correctCount": 1, "questionCount": 3,
    }  # fmt: skip
    assert failed["submitQuizAnswers"]["pointsAwarded"] == 0

    # 4. A practice retry with the right answers passes: no quiz points, the task is done.
    passed = graphql(SUBMIT, {"token": token, "slug": "il", "answers": right_answers(failed)})
    result = passed["submitQuizAnswers"]
    assert result["attempt"]["scored"] is False and result["attempt"]["passed"] is True
    assert result["completedTasks"] == [{"slug": "znatok", "title": "Знаток"}]
    assert result["pointsAwarded"] == 20

    # 5. Now the gated session takes her registration; she confirms and attends.
    with django_capture_on_commit_callbacks(execute=True):
        booked = graphql(REGISTER, register_input(gated, email="olga@example.org", seats=1))
    assert booked["registerForSession"]["errors"] == []
    registration = Registration.objects.get(email="olga@example.org")
    registration.status = Registration.Status.CONFIRMED
    registration.save()
    starts = timezone.now() - datetime.timedelta(minutes=30)
    gated.starts_at, gated.ends_at = starts, starts + datetime.timedelta(hours=1)
    gated.save()
    booking.mark_attendance(registration.pk, attended=True)

    me = graphql(ME, {"token": token})["participant"]
    assert me["email"] == "olga@example.org"
    assert me["points"] == 70  # 20 for the task, 50 for the excursion
    assert sorted(e["reason"] for e in me["history"]) == ["ATTENDANCE", "TASK"]
    assert me["tasks"] == [{"task": {"slug": "znatok"}, "done": 1, "completed": True}]
    assert [a["scored"] for a in me["attempts"]] == [False, True]
    assert me["attempts"][1]["answers"][0]["explanation"] == "Два и два — четыре."

    # 6. The thermos, for 50 points; the stock and the balance follow from the rows.
    claimed = graphql(CLAIM, {"token": token, "prize": str(prize.pk)})["claimPrize"]
    assert claimed["errors"] == []
    assert claimed["claim"] == {"status": "CLAIMED", "price": 50, "prize": {"stockLeft": 2}}
    assert claimed["points"] == 20
    again = graphql(CLAIM, {"token": token, "prize": str(prize.pk)})["claimPrize"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_CLAIMED"]

    # 7. At the excursion, the enterprise's host marks it «Выдан» in the admin; she sees it.
    claim = PrizeClaim.objects.get()
    host = django_user_model.objects.create_user("host", password="pw-1234567")
    host.groups.add(ensure_enterprise_group(gated.enterprise))
    staff = Client()
    assert admin_login(staff, "host", "pw-1234567")
    listing = staff.get(reverse("prize_claims:index")).content.decode()
    assert "Термос" in listing and "olga@example.org" in listing
    staff.post(reverse("prize_claims:action", args=[claim.pk]), {"action": "hand_out"})
    me = graphql(ME, {"token": token})["participant"]
    assert me["claims"][0]["status"] == "HANDED_OUT"
    assert me["points"] == 20

    # 8. On the leaderboard by her nickname only: the season's earned points.
    assert graphql(NICKNAME, {"token": token, "nickname": "Ольга-инженер"})["setNickname"][
        "participant"
    ] == {"nickname": "Ольга-инженер"}
    board = graphql(BOARD, {"season": "zima"})["leaderboard"]
    assert board == [{"rank": 1, "nickname": "Ольга-инженер", "points": 70}]
    assert "olga" not in str(board).lower()


def test_answers_are_secret_until_submitted_and_nobody_reads_another_participant(
    graphql, game, django_capture_on_commit_callbacks
):
    _, quiz, _, _, _ = game
    # Nothing in a quiz's answer tells which option is right or why.
    shown = graphql(QUIZ, {"slug": "il"})
    text = str(shown)
    assert "Два и два — четыре" not in text and "correct" not in text.lower().replace(
        "severalcorrect", ""
    )
    for name in ("correct", "explanation", "isCorrect", "answer"):
        response = graphql.post(
            f'{{ quiz(slug: "il") {{ questions {{ options {{ {name} }} }} }} }}'
        )
        assert "errors" in response.json()
        response = graphql.post(f'{{ quiz(slug: "il") {{ questions {{ {name} }} }} }}')
        assert "errors" in response.json()

    one, other = factories.ParticipantFactory(), factories.ParticipantFactory()
    answers = [
        {"questionId": qid, "options": services.correct_options(value)}
        for qid, value in quiz.question_blocks()
    ]
    graphql(SUBMIT, {"token": one.token, "slug": "il", "answers": answers})
    # The other participant's token opens only their own, empty, game.
    theirs = graphql(ME, {"token": other.token})["participant"]
    assert theirs["email"] == other.email and theirs["attempts"] == [] and theirs["points"] == 0
    # A wrong, forged or malformed token opens nothing, with the same answer.
    forged = one.token[:-1] + ("1" if one.token.endswith("0") else "0")  # one digit off
    for token in ("0" * 64, forged, "nonsense", ""):
        assert graphql(ME, {"token": token})["participant"] is None
    # Participants are not listed anywhere else; the leaderboard hides anyone without a nickname.
    assert graphql(BOARD, {"season": "zima"})["leaderboard"] == []


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"slug": "no-such"}, "NOT_FOUND", "quizSlug"),
        ({"token": "0" * 64}, "INVALID_TOKEN", "token"),
        ({"answers": []}, "INVALID_INPUT", "answers"),
        (
            {"answers": [{"questionId": "x", "options": list(range(1, 8))}]},
            "INVALID_INPUT",
            "answers",
        ),
        ({"answers": [{"questionId": "x", "options": [1]}] * 2}, "INVALID_INPUT", "answers"),
    ],
)
def test_bad_submissions_are_typed_errors(graphql, game, variables, code, field):
    player = factories.ParticipantFactory()
    base = {"token": player.token, "slug": "il", "answers": [{"questionId": "x", "options": [1]}]}
    data = graphql(SUBMIT, {**base, **variables})["submitQuizAnswers"]
    assert data["attempt"] is None
    assert [(e["code"], e["field"]) for e in data["errors"]] == [(code, field)]


def test_a_draft_quiz_is_not_readable(graphql, game):
    _, quiz, _, _, _ = game
    quiz.live = False
    quiz.save()
    assert graphql(QUIZ, {"slug": "il"})["quiz"] is None
    assert graphql("{ quizzes { totalCount } }")["quizzes"]["totalCount"] == 0


def test_game_mutations_are_rate_limited(graphql, game, settings):
    settings.QUESTS_RATE_LIMIT_PER_HOUR = 2
    codes = [
        [e["code"] for e in graphql(NICKNAME, {"token": "0" * 64})["setNickname"]["errors"]]
        for _ in range(3)
    ]
    assert codes == [["INVALID_TOKEN"], ["INVALID_TOKEN"], ["RATE_LIMITED"]]


def test_an_unknown_season_has_no_leaderboard(graphql, game):
    response = graphql.post(BOARD, {"season": "no-such"}).json()
    assert response["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
