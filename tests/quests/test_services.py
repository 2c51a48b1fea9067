"""The game rules, called as GraphQL and the admin call them."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking import services as booking
from booking.models import Registration
from pages.models import VideoEpisode
from quests import services
from quests.models import (
    AnsweredQuestion,
    Participant,
    PointsEntry,
    PrizeClaim,
    QuizAttempt,
    SessionGate,
    Task,
    TaskCompletion,
)
from tests import factories


def code_of(excinfo) -> str:
    error = excinfo.value
    items = (
        next(iter(error.error_dict.values())) if hasattr(error, "error_dict") else error.error_list
    )
    return items[0].code


# --- quizzes -------------------------------------------------------------------------


def test_a_first_passing_attempt_scores_and_a_retry_gives_no_points(quiz, player, answers):
    outcome = services.submit_answers(player.token, quiz.slug, answers(quiz, wrong=1))
    assert outcome.attempt.scored and outcome.attempt.passed
    assert outcome.attempt.correct_count == 2
    assert [q.correct for q in outcome.questions] == [False, True, True]
    assert outcome.questions[0].explanation == "Два и два — четыре."
    assert outcome.questions[1].correct_options == [1, 3]
    assert outcome.points_awarded == 10
    assert player.balance() == 10

    retry = services.submit_answers(player.token, quiz.slug, answers(quiz))
    assert not retry.attempt.scored and retry.attempt.passed
    assert retry.points_awarded == 0
    assert player.balance() == 10
    assert PointsEntry.objects.filter(participant=player).count() == 1


def test_a_failed_scored_attempt_gives_nothing(quiz, player, answers):
    outcome = services.submit_answers(player.token, quiz.slug, answers(quiz, wrong=2))
    assert outcome.attempt.scored and not outcome.attempt.passed
    assert player.balance() == 0


@pytest.mark.parametrize(
    "spoil",
    [
        lambda a: {**a, "no-such-question": [1]},
        lambda a: dict(list(a.items())[1:]),
        lambda a: {**a, next(iter(a)): [9]},
        lambda a: {**a, next(iter(a)): [1, 1]},
        lambda a: {**a, next(iter(a)): []},
        lambda a: {**a, next(iter(a)): [True]},
    ],
    ids=["unknown question", "missing", "out of range", "repeated", "empty", "boolean"],
)
def test_bad_answers_are_refused_and_change_nothing(quiz, player, answers, spoil):
    with pytest.raises(ValidationError) as excinfo:
        services.submit_answers(player.token, quiz.slug, spoil(answers(quiz)))
    assert code_of(excinfo) == "INVALID_INPUT"
    assert not QuizAttempt.objects.exists() and not AnsweredQuestion.objects.exists()


def test_a_draft_or_unknown_quiz_takes_no_answers(quiz, player, answers):
    quiz.live = False
    quiz.save()
    for slug in (quiz.slug, "no-such-quiz"):
        with pytest.raises(ValidationError) as excinfo:
            services.submit_answers(player.token, slug, answers(quiz))
        assert code_of(excinfo) == "NOT_FOUND"
    assert not QuizAttempt.objects.exists()


def test_answers_are_shown_only_to_who_submitted_them(quiz, player, answers):
    other = factories.ParticipantFactory()
    assert services.shown_questions(player, quiz) == set()
    services.submit_answers(player.token, quiz.slug, answers(quiz))
    assert services.shown_questions(player, quiz) == {qid for qid, _ in quiz.question_blocks()}
    assert services.shown_questions(other, quiz) == set()
    assert services.shown_questions(None, quiz) == set()


@pytest.mark.parametrize("token", ["", "x" * 64, "0" * 64, None])
def test_a_bad_token_opens_nothing(db, token):
    with pytest.raises(ValidationError) as excinfo:
        services.find_participant(token)
    assert code_of(excinfo) == "INVALID_TOKEN"


def test_an_expired_token_opens_nothing(player):
    player.tokens.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.find_participant(player.token)


# --- the magic link --------------------------------------------------------------------------


def test_a_link_letter_carries_a_token_that_opens_the_game(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_link(
            " Player@Example.org ", consent_to_processing=True, ip_address="203.0.113.9"
        )
    participant = Participant.objects.get()
    assert participant.email == "player@example.org"
    assert participant.consent_ip == "203.0.113.9" and participant.consent_version
    (letter,) = mail.outbox
    assert letter.to == ["player@example.org"]
    token = letter.body.split("Код для приложения: ")[1].split()[0]
    assert services.find_participant(token) == participant
    assert participant.tokens.get().token_hash != token  # stored only as a hash


def test_links_to_one_address_are_limited_and_the_answer_stays_the_same(
    db, settings, django_capture_on_commit_callbacks
):
    settings.QUESTS_LINKS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            assert services.request_link("player@example.org", consent_to_processing=True) is None
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("email", "consent", "code"),
    [("player@example.org", False, "CONSENT_REQUIRED"), ("not an address", True, "INVALID_INPUT")],
)
def test_a_link_needs_consent_and_an_address(db, email, consent, code):
    with pytest.raises(ValidationError) as excinfo:
        services.request_link(email, consent_to_processing=consent)
    assert code_of(excinfo) == code
    assert not Participant.objects.exists() and not mail.outbox


# --- tasks -----------------------------------------------------------------------------------


def test_passing_a_quiz_completes_its_task_once(quiz, player, answers, season):
    task = factories.TaskFactory(season=season, kind=Task.Kind.PASS_QUIZ, quiz=quiz, points=5)
    outcome = services.submit_answers(player.token, quiz.slug, answers(quiz))
    assert outcome.completed_tasks == [task]
    assert outcome.points_awarded == 15
    services.submit_answers(player.token, quiz.slug, answers(quiz))
    assert TaskCompletion.objects.filter(participant=player, task=task).count() == 1
    assert player.balance() == 15


def test_industry_quizzes_count_towards_their_task(season, player, answers):
    industry = factories.IndustryFactory()
    quizzes = [factories.QuizFactory(season=season, industry=industry) for _ in range(2)]
    task = factories.TaskFactory(
        season=season, kind=Task.Kind.PASS_INDUSTRY_QUIZZES, industry=industry, target_count=2
    )
    services.submit_answers(player.token, quizzes[0].slug, answers(quizzes[0]))
    assert services.task_progress(player, [task]) == {task.pk: (1, False)}
    services.submit_answers(player.token, quizzes[1].slug, answers(quizzes[1]))
    assert services.task_progress(player, [task]) == {task.pk: (2, True)}


def test_a_video_task_needs_its_quiz_passed(season, player, answers, site_tree):
    series = factories.VideoSeriesPageFactory(parent=site_tree.video_index)
    episode = VideoEpisode.objects.create(
        page=series, number=1, title="Династия", video_url="https://vk.com/video1"
    )
    quiz = factories.QuizFactory(season=season, video_episode=episode)
    task = factories.TaskFactory(season=season, kind=Task.Kind.WATCH_EPISODE, video_episode=episode)
    services.submit_answers(player.token, quiz.slug, answers(quiz, wrong=2))
    assert not TaskCompletion.objects.filter(task=task).exists()
    services.submit_answers(player.token, quiz.slug, answers(quiz))  # a passed retry counts
    assert TaskCompletion.objects.filter(task=task, participant=player).exists()


@pytest.fixture
def attended_session(site_tree, season):
    """A session that started an hour ago, in the current season."""
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    enterprise.industries.add(factories.IndustryFactory())
    enterprise.save()  # a ParentalManyToManyField is written with its page
    starts = timezone.now() - datetime.timedelta(hours=1)
    return factories.TourSessionFactory(
        enterprise=enterprise,
        season=season,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )


def test_attendance_gives_points_and_completes_the_task_and_a_correction_takes_them_back(
    attended_session, player, season, settings
):
    settings.QUESTS_ATTENDANCE_POINTS = 50
    task = factories.TaskFactory(season=season, kind=Task.Kind.ATTEND_EXCURSION, points=20)
    registration = factories.RegistrationFactory(session=attended_session, email=player.email)
    booking.mark_attendance(registration.pk, attended=True)
    assert TaskCompletion.objects.filter(task=task, participant=player).exists()
    assert player.balance() == 70
    booking.mark_attendance(registration.pk, attended=True)  # marked twice: counted once
    assert player.balance() == 70
    booking.mark_attendance(registration.pk, attended=False)
    assert player.balance() == 20  # the task stays done
    booking.mark_attendance(registration.pk, attended=True)
    assert player.balance() == 70
    reasons = list(player.points.order_by("pk").values_list("reason", flat=True))
    assert reasons == ["attendance", "task", "attendance_revoked", "attendance"]


def test_attendance_before_joining_counts_when_the_participant_plays(
    attended_session, season, quiz, answers
):
    task = factories.TaskFactory(season=season, kind=Task.Kind.ATTEND_INDUSTRIES, target_count=1)
    registration = factories.RegistrationFactory(session=attended_session, email="late@example.org")
    booking.mark_attendance(registration.pk, attended=True)
    player = factories.ParticipantFactory(email="late@example.org")
    services.submit_answers(player.token, quiz.slug, answers(quiz))
    assert TaskCompletion.objects.filter(task=task, participant=player).exists()
    assert player.points.filter(reason="attendance").exists()


# --- the gate ------------------------------------------------------------------------------


def test_a_gated_session_opens_once_the_task_is_done(site_tree, season, quiz, player, answers):
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    session = factories.TourSessionFactory(enterprise=enterprise, season=season)
    task = factories.TaskFactory(season=season, kind=Task.Kind.PASS_QUIZ, quiz=quiz, title="Знаток")
    SessionGate.objects.create(session=session, task=task)
    request = booking.RegistrationRequest(
        session_id=session.pk,
        name="Анна Иванова",
        email=player.email,
        phone="+79001234567",
        seats=1,
        consent_to_processing=True,
        consent_to_transfer=True,
    )
    with pytest.raises(ValidationError) as excinfo:
        booking.register(request)
    assert code_of(excinfo) == "TASK_REQUIRED"
    assert "«Знаток»" in excinfo.value.messages[0]
    assert not Registration.objects.exists()

    services.submit_answers(player.token, quiz.slug, answers(quiz))
    outcome = booking.register(request)
    assert outcome.created and outcome.registration.status == Registration.Status.PENDING


# --- prizes ---------------------------------------------------------------------------------


def give_points(participant, amount):
    PointsEntry.objects.create(
        participant=participant,
        amount=amount,
        reason="task",
        source=f"test:{amount}",
        description="тест",
    )


def test_a_claim_spends_points_and_stock(player):
    prize = factories.PrizeFactory(stock=2, price=30)
    give_points(player, 40)
    claim = services.claim_prize(player.token, prize.pk)
    assert claim.status == PrizeClaim.Status.CLAIMED and claim.price == 30
    assert player.balance() == 10
    assert prize.stock_left() == 1
    assert player.points.get(reason="prize").amount == -30


@pytest.mark.parametrize(
    ("stock", "points", "claims_before", "code"),
    [
        (2, 20, 0, "NOT_ENOUGH_POINTS"),
        (1, 100, 1, "OUT_OF_STOCK"),
    ],
)
def test_a_claim_that_cannot_be_paid_or_served_changes_nothing(
    player, stock, points, claims_before, code
):
    prize = factories.PrizeFactory(stock=stock, price=30)
    give_points(player, points)
    for _ in range(claims_before):
        other = factories.ParticipantFactory()
        give_points(other, 30)
        services.claim_prize(other.token, prize.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.claim_prize(player.token, prize.pk)
    assert code_of(excinfo) == code
    assert player.balance() == points and not player.claims.exists()


def test_one_claim_per_prize_and_unknown_or_inactive_prizes_are_not_found(player):
    prize = factories.PrizeFactory(price=10)
    give_points(player, 100)
    services.claim_prize(player.token, prize.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.claim_prize(player.token, prize.pk)
    assert code_of(excinfo) == "ALREADY_CLAIMED"
    hidden = factories.PrizeFactory(is_active=False)
    for prize_id in (hidden.pk, 10**9):
        with pytest.raises(ValidationError) as excinfo:
            services.claim_prize(player.token, prize_id)
        assert code_of(excinfo) == "NOT_FOUND"
    assert player.balance() == 90


def test_hand_out_and_cancel(player, admin_user):
    prize = factories.PrizeFactory(price=10, stock=1)
    give_points(player, 10)
    claim = services.claim_prize(player.token, prize.pk)
    services.cancel_claim(claim.pk)
    assert player.balance() == 10 and prize.stock_left() == 1
    with pytest.raises(ValidationError):
        services.hand_out(claim.pk, admin_user)
    claim = services.claim_prize(player.token, prize.pk)
    handed = services.hand_out(claim.pk, admin_user)
    assert handed.status == PrizeClaim.Status.HANDED_OUT and handed.handed_out_by == admin_user
    assert services.hand_out(claim.pk, admin_user).handed_out_at == handed.handed_out_at
    with pytest.raises(ValidationError):
        services.cancel_claim(claim.pk)


# --- nicknames, the leaderboard, personal data -------------------------------------------------


def test_the_leaderboard_shows_nicknames_only_and_a_participant_can_leave(season, quiz, answers):
    players = [factories.ParticipantFactory() for _ in range(3)]
    second_quiz = factories.QuizFactory(season=season, points=7)
    for player, nickname in zip(players, ["Ракета", "Токарь", None], strict=True):
        if nickname:
            services.set_nickname(player.token, nickname)
        services.submit_answers(player.token, quiz.slug, answers(quiz))
    services.submit_answers(players[1].token, second_quiz.slug, answers(second_quiz))
    board = services.leaderboard(season, limit=10)
    assert [(row.rank, row.nickname, row.points) for row in board] == [
        (1, "Токарь", 17),
        (2, "Ракета", 10),
    ]
    services.set_nickname(players[1].token, "Токарь", on_leaderboard=False)
    assert [row.nickname for row in services.leaderboard(season, limit=10)] == ["Ракета"]


@pytest.mark.parametrize("nickname", ["ab", "me@example.org", "x" * 40, "!!!"])
def test_a_bad_nickname_is_refused(player, nickname):
    with pytest.raises(ValidationError) as excinfo:
        services.set_nickname(player.token, nickname)
    assert code_of(excinfo) == "INVALID_INPUT"


def test_a_nickname_is_one_participants(player):
    services.set_nickname(player.token, "Ракета")
    other = factories.ParticipantFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.set_nickname(other.token, "ракета")
    assert code_of(excinfo) == "NICKNAME_TAKEN"


def test_inactive_participants_are_anonymised(player, settings):
    settings.QUESTS_ANONYMISE_AFTER_DAYS = 30
    services.set_nickname(player.token, "Ракета")
    give_points(player, 5)
    Participant.objects.filter(pk=player.pk).update(
        last_seen_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert services.anonymise_inactive_participants() == 1
    assert services.anonymise_inactive_participants() == 0
    player.refresh_from_db()
    assert player.email.endswith("@invalid") and player.nickname is None
    assert not player.tokens.exists()
    assert player.balance() == 5


def test_an_editor_cannot_save_a_question_without_a_right_option_or_an_unreachable_pass_mark(db):
    from quests.blocks import QuestionBlock

    block = QuestionBlock()
    value = block.to_python(
        {
            "text": "Вопрос",
            "options": [{"text": "а", "correct": False}, {"text": "б", "correct": False}],
            "explanation": "",
        }
    )
    with pytest.raises(ValidationError):
        block.clean(value)
    quiz = factories.QuizFactory.build(pass_mark=4)  # three questions
    with pytest.raises(ValidationError) as excinfo:
        quiz.clean()
    assert "pass_mark" in excinfo.value.error_dict


def test_a_claim_brings_a_letter_saying_how_the_prize_is_handed_out(
    player, django_capture_on_commit_callbacks
):
    prize = factories.PrizeFactory(
        title="Термос", price=10, handout="pickup_point", handout_details="Офис, пн–пт 10–18"
    )
    give_points(player, 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_prize(player.token, prize.pk)
    (letter,) = mail.outbox
    assert letter.to == [player.email] and "Термос" in letter.subject
    assert "пункте выдачи" in letter.body and "Офис, пн–пт 10–18" in letter.body


def test_the_prize_letter_is_skipped_once_the_claim_is_cancelled(player):
    from quests import notifications

    prize = factories.PrizeFactory(price=10)
    give_points(player, 10)
    claim = services.claim_prize(player.token, prize.pk)  # its letter waits for the commit
    services.cancel_claim(claim.pk)
    assert notifications.send_claim_now(claim.pk) is False
    assert not mail.outbox
