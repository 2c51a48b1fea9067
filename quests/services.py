"""The game rules. GraphQL mutations, the admin and the periodic jobs call these.

Points come only from what the server verifies: a scored quiz attempt, an attendance a
host marked, a completed task. Every change of points is a ``PointsEntry`` whose
``source`` is unique per participant, so an event handled twice counts once. A change
to one participant's points runs under that participant's row lock; a prize claim also
locks the prize first (always prize, then participant: no lock-order deadlocks), then
counts stock and balance from rows. Failures raise ``ValidationError`` with a
``QuestErrorCode`` and change nothing.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from booking import locking, ratelimit
from booking.errors import BookingErrorCode, booking_error
from booking.models import Registration, TourSession
from booking.services import normalise_email  # one person is one address, in both
from catalogue.models import Season
from quests import notifications, tokens
from quests.blocks import MAX_OPTIONS, MAX_QUESTIONS
from quests.errors import QuestErrorCode as Code
from quests.errors import quest_error
from quests.models import (
    AnsweredQuestion,
    Participant,
    ParticipantToken,
    PointsEntry,
    Prize,
    PrizeClaim,
    Quiz,
    QuizAttempt,
    SessionGate,
    Task,
    TaskCompletion,
)

Reason = PointsEntry.Reason
NICKNAME = re.compile(r"^[\w][\w .\-]{1,30}[\w]$")
BUSY_MESSAGE = "Сейчас очень много желающих. Попробуйте через минуту."


# --- who is playing ------------------------------------------------------------------


def check_rate_limit(action: str, client_key: str | None) -> None:
    """Refuse a client (by IP) that has sent too many game requests this hour."""
    if client_key and not ratelimit.allow(
        f"quests:{action}", client_key, settings.QUESTS_RATE_LIMIT_PER_HOUR
    ):
        raise quest_error(Code.RATE_LIMITED, "Слишком много попыток. Попробуйте снова через час.")


def request_link(email: str, consent_to_processing: bool, ip_address: str | None = None) -> None:
    """E-mail a magic link that opens the participant's game; creates the participant.

    The answer is the same whether or not the address played before; at most
    QUESTS_LINKS_PER_HOUR letters go to one address per hour, so nobody can flood a
    mailbox through us. Each letter carries a new token, valid QUESTS_TOKEN_DAYS.
    """
    if not consent_to_processing:
        raise quest_error(
            Code.CONSENT_REQUIRED,
            "Нужно согласие на обработку персональных данных.",
            field="consent_to_processing",
        )
    email = normalise_email(email)
    if not ratelimit.allow("quests:link", email, settings.QUESTS_LINKS_PER_HOUR):
        return
    now = timezone.now()
    with transaction.atomic():
        participant, _ = Participant.objects.get_or_create(
            email=email,
            defaults={
                "consent_version": settings.QUESTS_CONSENT_VERSION,
                "consent_at": now,
                "consent_ip": ip_address,
            },
        )
        participant.consent_version = settings.QUESTS_CONSENT_VERSION
        participant.consent_at = now
        participant.consent_ip = ip_address
        participant.last_seen_at = now
        participant.save(
            update_fields=["consent_version", "consent_at", "consent_ip", "last_seen_at"]
        )
        participant.tokens.filter(expires_at__lte=now).delete()
        salt = tokens.new_salt()
        link = ParticipantToken.objects.create(
            participant=participant,
            token_salt=salt,
            token_hash=tokens.hash_token(tokens.token_for_salt(salt)),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.QUESTS_TOKEN_DAYS),
        )
        notifications.send_link(link)


def find_participant(token: str) -> Participant:
    """The participant a valid, unexpired token opens, or INVALID_TOKEN."""
    if not tokens.looks_like_token(token):
        raise quest_error(Code.INVALID_TOKEN, "Ссылка недействительна.", field="token")
    link = (
        ParticipantToken.objects.select_related("participant")
        .filter(token_hash=tokens.hash_token(token), expires_at__gt=timezone.now())
        .first()
    )
    if (
        link is None
        or not tokens.token_matches(token, link.token_hash)
        or link.participant.anonymised_at is not None
    ):
        raise quest_error(Code.INVALID_TOKEN, "Ссылка недействительна.", field="token")
    return link.participant


def _lock_participant(participant_id: int) -> Participant:
    return Participant.objects.select_for_update().get(pk=participant_id)


def set_nickname(
    token: str, nickname: str | None, on_leaderboard: bool | None = None
) -> Participant:
    """Choose (or clear, with an empty one) the nickname the leaderboard shows, and
    whether to be on it at all."""
    participant = find_participant(token)
    cleaned = " ".join((nickname or "").split()) or None
    if cleaned is not None and (not NICKNAME.match(cleaned) or "@" in cleaned):
        raise quest_error(
            Code.INVALID_INPUT,
            "Псевдоним — от 3 до 32 букв, цифр, пробелов, точек, дефисов или подчёркиваний.",
            field="nickname",
        )
    try:
        with transaction.atomic():
            participant = _lock_participant(participant.pk)
            key = cleaned.casefold() if cleaned is not None else None
            if (
                key is not None
                and Participant.objects.filter(nickname_key=key).exclude(pk=participant.pk).exists()
            ):
                raise quest_error(
                    Code.NICKNAME_TAKEN, "Этот псевдоним уже занят.", field="nickname"
                )
            participant.nickname = cleaned
            participant.nickname_key = key
            if on_leaderboard is not None:
                participant.on_leaderboard = on_leaderboard
            participant.last_seen_at = timezone.now()
            participant.save(
                update_fields=["nickname", "nickname_key", "on_leaderboard", "last_seen_at"]
            )
    except IntegrityError:  # the unique constraint caught a race the check missed
        raise quest_error(
            Code.NICKNAME_TAKEN, "Этот псевдоним уже занят.", field="nickname"
        ) from None
    return participant


# --- quizzes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    correct: bool
    chosen: list[int]
    correct_options: list[int]
    explanation: str


@dataclass
class AttemptOutcome:
    attempt: QuizAttempt
    questions: list[QuestionResult]
    points_awarded: int = 0
    completed_tasks: list[Task] = field(default_factory=list)


def correct_options(question) -> list[int]:
    """The numbers (from 1) of a question block's correct options."""
    return [number for number, option in enumerate(question["options"], 1) if option["correct"]]


def answers_by_question(pairs: Iterable[tuple[str, Sequence[int]]]) -> dict[str, list[int]]:
    """The answers a client sent as (question id, chosen option numbers) pairs, as
    ``submit_answers`` takes them: refused when there are more than a quiz can have, a
    question comes twice, or one has more options than a question can have."""
    pairs = list(pairs)
    if len(pairs) > MAX_QUESTIONS:
        raise quest_error(Code.INVALID_INPUT, "Слишком много ответов.", field="answers")
    chosen: dict[str, list[int]] = {}
    for question_id, options in pairs:
        if question_id in chosen:
            raise quest_error(Code.INVALID_INPUT, "На каждый вопрос — один ответ.", field="answers")
        if len(options) > MAX_OPTIONS:
            raise quest_error(
                Code.INVALID_INPUT, f"В вопросе не больше {MAX_OPTIONS} вариантов.", field="answers"
            )
        chosen[question_id] = list(options)
    return chosen


def _check_answers(quiz: Quiz, answers: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    questions = dict(quiz.question_blocks())
    unknown = [question_id for question_id in answers if question_id not in questions]
    if unknown:
        raise quest_error(Code.INVALID_INPUT, "В викторине нет такого вопроса.", field="answers")
    missing = [question_id for question_id in questions if question_id not in answers]
    if missing:
        raise quest_error(Code.INVALID_INPUT, "Ответьте на все вопросы викторины.", field="answers")
    checked = {}
    for question_id, chosen in answers.items():
        count = len(questions[question_id]["options"])
        numbers = list(chosen or [])
        if (
            not numbers
            or len(set(numbers)) != len(numbers)
            or any(
                not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= count
                for n in numbers
            )
        ):
            raise quest_error(
                Code.INVALID_INPUT,
                f"Выберите один или несколько вариантов от 1 до {count}, без повторов.",
                field="answers",
            )
        checked[question_id] = sorted(numbers)
    return checked


def find_quiz(slug: str) -> Quiz:
    """A published quiz by slug, or NOT_FOUND (a draft is not found either)."""
    quiz = Quiz.objects.published().filter(slug=slug).first() if isinstance(slug, str) else None
    if quiz is None:
        raise quest_error(Code.NOT_FOUND, "Викторина не найдена.", field="quiz_slug")
    return quiz


def submit_answers(
    token: str, quiz_slug: str, answers: Mapping[str, Sequence[int]]
) -> AttemptOutcome:
    """Score a participant's answers to every question of a published quiz.

    The first attempt per quiz is scored: passing it (``pass_mark`` correct answers)
    gives the quiz's points. Later attempts are checked and explained the same way but
    give no points; a passed one still counts for tasks.
    """
    participant = find_participant(token)
    quiz = find_quiz(quiz_slug)
    checked = _check_answers(quiz, answers)
    questions = dict(quiz.question_blocks())
    results = []
    for question_id, chosen in checked.items():
        right = correct_options(questions[question_id])
        results.append(
            QuestionResult(
                question_id=question_id,
                correct=chosen == right,
                chosen=chosen,
                correct_options=right,
                explanation=questions[question_id]["explanation"] or "",
            )
        )
    order = {question_id: index for index, question_id in enumerate(questions)}
    results.sort(key=lambda result: order[result.question_id])
    correct_count = sum(result.correct for result in results)
    with transaction.atomic():
        participant = _lock_participant(participant.pk)
        now = timezone.now()
        scored = not QuizAttempt.objects.filter(
            participant=participant, quiz=quiz, scored=True
        ).exists()
        attempt = QuizAttempt.objects.create(
            participant=participant,
            quiz=quiz,
            scored=scored,
            correct_count=correct_count,
            question_count=len(results),
            passed=correct_count >= quiz.pass_mark,
            submitted_at=now,
        )
        AnsweredQuestion.objects.bulk_create(
            AnsweredQuestion(
                attempt=attempt, question_id=r.question_id, chosen=r.chosen, correct=r.correct
            )
            for r in results
        )
        outcome = AttemptOutcome(attempt=attempt, questions=results)
        if scored and attempt.passed and quiz.points:
            _add_points(
                participant,
                quiz.points,
                Reason.QUIZ,
                source=f"quiz:{quiz.pk}",
                season_id=quiz.season_id,
                description=f"Викторина «{quiz.title}»",
                now=now,
            )
            outcome.points_awarded += quiz.points
        completed, bonus = _refresh_locked(participant, now)
        outcome.completed_tasks = completed
        outcome.points_awarded += bonus
        participant.last_seen_at = now
        participant.save(update_fields=["last_seen_at"])
    return outcome


def shown_questions(participant: Participant | None, quiz: Quiz) -> set[str]:
    """Ids of the quiz's questions whose answers ``participant`` may read: those they
    have submitted (in any attempt). Nobody else may."""
    if participant is None:
        return set()
    return set(
        AnsweredQuestion.objects.filter(
            attempt__participant=participant, attempt__quiz=quiz
        ).values_list("question_id", flat=True)
    )


# --- points and tasks -------------------------------------------------------------------


def _add_points(participant, amount: int, reason: str, source: str, season_id, description, now):
    PointsEntry.objects.create(
        participant=participant,
        amount=amount,
        reason=reason,
        source=source,
        season_id=season_id,
        description=description[:300],
        created_at=now,
    )


@dataclass
class Facts:
    """What the server knows a participant did, read once for all tasks."""

    passed_quizzes: set[int]  # ids of published quizzes with a passed attempt
    passed_by_industry: dict[int, set[int]]  # industry id -> passed quiz ids
    passed_episodes: set[int]  # video episode ids whose quiz was passed
    attended: list[Registration]  # ATTENDED registrations, with session and enterprise


def facts_for(participant: Participant) -> Facts:
    """Two queries, whatever the number of tasks."""
    passed = (
        QuizAttempt.objects.filter(participant=participant, passed=True, quiz__live=True)
        .values_list("quiz_id", "quiz__industry_id", "quiz__video_episode_id")
        .distinct()
    )
    facts = Facts(set(), defaultdict(set), set(), [])
    for quiz_id, industry_id, episode_id in passed:
        facts.passed_quizzes.add(quiz_id)
        if industry_id:
            facts.passed_by_industry[industry_id].add(quiz_id)
        if episode_id:
            facts.passed_episodes.add(episode_id)
    facts.attended = list(
        Registration.objects.filter(email=participant.email, status=Registration.Status.ATTENDED)
        .select_related("session")
        .prefetch_related("session__enterprise__industries")
    )
    return facts


def progress(task: Task, facts: Facts) -> int:
    """How many of the task's ``target`` steps are done (capped at the target)."""
    Kind = Task.Kind
    if task.kind == Kind.PASS_QUIZ:
        done = int(task.quiz_id in facts.passed_quizzes)
    elif task.kind == Kind.PASS_INDUSTRY_QUIZZES:
        done = len(facts.passed_by_industry.get(task.industry_id, ()))
    elif task.kind == Kind.WATCH_EPISODE:
        done = int(task.video_episode_id in facts.passed_episodes)
    else:
        in_season = [r for r in facts.attended if r.session.season_id == task.season_id]
        if task.kind == Kind.ATTEND_EXCURSION:
            done = int(bool(in_season))
        else:
            industries = {
                industry.pk
                for registration in in_season
                for industry in registration.session.enterprise.industries.all()
            }
            done = len(industries)
    return min(done, task.target)


def _sync_attendance_locked(participant: Participant, facts: Facts, now) -> int:
    """Points for each attended excursion, taken back if a host corrects the mark."""
    net: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    entries = participant.points.filter(
        reason__in=[Reason.ATTENDANCE, Reason.ATTENDANCE_REVOKED]
    ).values_list("source", "amount")
    for source, amount in entries:
        registration_id = int(source.split(":")[1])
        net[registration_id] += amount
        count[registration_id] += 1
    attended = {registration.pk: registration for registration in facts.attended}
    added = 0
    for registration_id, registration in attended.items():
        if net[registration_id] <= 0 and settings.QUESTS_ATTENDANCE_POINTS > 0:
            session = registration.session
            _add_points(
                participant,
                settings.QUESTS_ATTENDANCE_POINTS,
                Reason.ATTENDANCE,
                source=f"attendance:{registration_id}:{count[registration_id]}",
                season_id=session.season_id,
                description=f"Посещение: {session.display_title}",
                now=now,
            )
            added += settings.QUESTS_ATTENDANCE_POINTS
    for registration_id, amount in net.items():
        if amount > 0 and registration_id not in attended:
            _add_points(
                participant,
                -amount,
                Reason.ATTENDANCE_REVOKED,
                source=f"attendance:{registration_id}:{count[registration_id]}",
                season_id=None,
                description=f"Отметка о посещении снята (заявка №{registration_id})",
                now=now,
            )
            added -= amount
    return added


def _refresh_locked(participant: Participant, now) -> tuple[list[Task], int]:
    """Bring attendance points and task completions up to date; caller holds the
    participant's lock. Returns the tasks completed now and the points they and new
    attendances gave. A completed task stays completed."""
    facts = facts_for(participant)
    points = _sync_attendance_locked(participant, facts, now)
    done = set(participant.completions.values_list("task_id", flat=True))
    # Tasks of seasons not over yet (in Moscow: the programme's calendar).
    today = timezone.localdate(now)
    open_tasks = Task.objects.exclude(pk__in=done).filter(season__end_date__gte=today)
    completed = []
    for task in open_tasks.select_related("season"):
        if progress(task, facts) < task.target:
            continue
        TaskCompletion.objects.create(participant=participant, task=task, completed_at=now)
        if task.points:
            _add_points(
                participant,
                task.points,
                Reason.TASK,
                source=f"task:{task.pk}",
                season_id=task.season_id,
                description=f"Задание «{task.title}»",
                now=now,
            )
            points += task.points
        completed.append(task)
    return completed, points


def on_attendance_marked(sender, registration: Registration, attended: bool, **kwargs) -> None:
    """Booking's ``attendance_marked``: the participant with that e-mail, if any, gets
    (or loses) the attendance's points, and attendance tasks are checked. Runs inside
    the mark's transaction."""
    participant = Participant.objects.filter(
        email=registration.email, anonymised_at__isnull=True
    ).first()
    if participant is None:
        return  # counted when the address joins the game (``refresh``)
    participant = _lock_participant(participant.pk)
    _refresh_locked(participant, timezone.now())


def refresh(participant: Participant) -> list[Task]:
    """Check a participant's tasks and attendance points now (e.g. after joining)."""
    with transaction.atomic():
        participant = _lock_participant(participant.pk)
        completed, _ = _refresh_locked(participant, timezone.now())
    return completed


def task_progress(participant: Participant, tasks: Sequence[Task]) -> dict[int, tuple[int, bool]]:
    """{task id: (steps done, completed)} for ``tasks``: a fixed number of queries."""
    facts = facts_for(participant)
    done = set(participant.completions.values_list("task_id", flat=True))
    return {
        task.pk: (task.target if task.pk in done else progress(task, facts), task.pk in done)
        for task in tasks
    }


def completed_task(email: str, task: Task) -> bool:
    return TaskCompletion.objects.filter(
        task=task, participant__email=email, participant__anonymised_at__isnull=True
    ).exists()


def check_session_gate(session: TourSession, email: str) -> None:
    """Booking's gate (``booking.gates``): a gated session takes registrations only
    from the e-mail of a participant who completed its task."""
    gate = SessionGate.objects.select_related("task").filter(session=session).first()
    if gate is None or completed_task(email, gate.task):
        return
    raise booking_error(
        BookingErrorCode.TASK_REQUIRED,
        f"Запись на этот сеанс открыта тем, кто выполнил задание «{gate.task.title}» "
        "в мини-приложении, с тем же e-mail.",
        field="session_id",
    )


# --- prizes ------------------------------------------------------------------------------


def claim_prize(token: str, prize_id: int) -> PrizeClaim:
    """Exchange points for a prize while its stock lasts.

    Locks the prize, then the participant; counts the claims and the balance from rows
    after the locks. Never over-claims a prize, never lets a balance go below zero.
    """
    participant = find_participant(token)
    try:
        with transaction.atomic():
            locking.limit_lock_wait()
            prize = _lock_prize(prize_id)
            if prize is None:
                raise quest_error(Code.NOT_FOUND, "Приз не найден.", field="prize_id")
            participant = _lock_participant(participant.pk)
            now = timezone.now()
            claims = PrizeClaim.objects.filter(prize=prize).exclude(
                status=PrizeClaim.Status.CANCELLED
            )
            if claims.filter(participant=participant).exists():
                raise quest_error(Code.ALREADY_CLAIMED, "Этот приз вы уже получили или заказали.")
            if _stock_taken(prize) >= prize.stock:
                raise quest_error(Code.OUT_OF_STOCK, "Эти призы закончились.")
            balance = _balance(participant)
            if balance < prize.price:
                raise quest_error(
                    Code.NOT_ENOUGH_POINTS,
                    f"Нужно {prize.price} баллов, у вас {balance}.",
                )
            claim = PrizeClaim.objects.create(
                participant=participant, prize=prize, price=prize.price, claimed_at=now
            )
            _add_points(
                participant,
                -prize.price,
                Reason.PRIZE,
                source=f"claim:{claim.pk}",
                season_id=prize.season_id,
                description=f"Приз «{prize.title}»",
                now=now,
            )
            participant.last_seen_at = now
            participant.save(update_fields=["last_seen_at"])
            notifications.send_claim(claim)
            return claim
    except OperationalError as error:
        if locking.is_lock_timeout(error):
            raise quest_error(Code.BUSY, BUSY_MESSAGE) from error
        raise


def _lock_prize(prize_id: int) -> Prize | None:
    """The active prize, its row locked until the transaction ends; None if there is none."""
    return Prize.objects.select_for_update().filter(pk=prize_id, is_active=True).first()


def _stock_taken(prize: Prize) -> int:
    """Claims holding one of the prize's stock, counted from rows (caller holds its lock)."""
    return (
        PrizeClaim.objects.filter(prize=prize).exclude(status=PrizeClaim.Status.CANCELLED).count()
    )


def _balance(participant: Participant) -> int:
    """The ledger's sum (caller holds the participant's lock)."""
    return participant.balance()


def hand_out(claim_id: int, user) -> PrizeClaim:
    """Mark a claimed prize as handed out (by a host or editor); twice is harmless."""
    with transaction.atomic():
        claim = PrizeClaim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise quest_error(Code.NOT_FOUND, "Заявка на приз не найдена.")
        if claim.status == PrizeClaim.Status.HANDED_OUT:
            return claim
        if claim.status != PrizeClaim.Status.CLAIMED:
            raise quest_error(Code.INVALID_STATUS, "Эта заявка отменена: приз не выдаётся.")
        claim.status = PrizeClaim.Status.HANDED_OUT
        claim.handed_out_at = timezone.now()
        claim.handed_out_by = user
        claim.save(update_fields=["status", "handed_out_at", "handed_out_by"])
        return claim


def cancel_claim(claim_id: int) -> PrizeClaim:
    """Cancel a claim not yet handed out: the prize goes back to stock, the points back
    to the participant."""
    with transaction.atomic():
        claim = PrizeClaim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise quest_error(Code.NOT_FOUND, "Заявка на приз не найдена.")
        if claim.status == PrizeClaim.Status.CANCELLED:
            return claim
        if claim.status != PrizeClaim.Status.CLAIMED:
            raise quest_error(Code.INVALID_STATUS, "Выданный приз уже не отменить.")
        Prize.objects.select_for_update().filter(pk=claim.prize_id).first()
        participant = _lock_participant(claim.participant_id)
        claim.status = PrizeClaim.Status.CANCELLED
        claim.save(update_fields=["status"])
        _add_points(
            participant,
            claim.price,
            Reason.PRIZE_RETURNED,
            source=f"claim:{claim.pk}:returned",
            season_id=None,
            description=f"Заявка на приз «{claim.prize.title}» отменена",
            now=timezone.now(),
        )
        return claim


# --- the leaderboard and statistics ----------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    nickname: str
    points: int


def leaderboard(season: Season, limit: int) -> list[LeaderboardRow]:
    """The season's top participants by points earned in it (spending on prizes does
    not lower a rank), nicknames only; equal points share a rank. One query."""
    rows = (
        PointsEntry.objects.filter(
            season=season,
            amount__gt=0,
            participant__nickname__isnull=False,
            participant__on_leaderboard=True,
            participant__anonymised_at__isnull=True,
        )
        .values("participant_id", "participant__nickname")
        .annotate(total=Sum("amount"))
        .order_by("-total", "participant_id")[:limit]
    )
    board, rank, previous = [], 0, None
    for position, row in enumerate(rows, 1):
        if row["total"] != previous:
            rank, previous = position, row["total"]
        board.append(LeaderboardRow(rank, row["participant__nickname"], row["total"]))
    return board


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: str
    text: str
    answers: int
    correct: int

    @property
    def correct_share(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class QuizStatistics:
    attempts: int
    participants: int
    scored_attempts: int
    passed_scored: int
    questions: list[QuestionStatistics]

    @property
    def pass_rate(self) -> float | None:
        return self.passed_scored / self.scored_attempts if self.scored_attempts else None

    @property
    def hardest(self) -> QuestionStatistics | None:
        answered = [q for q in self.questions if q.answers]
        return min(answered, key=lambda q: q.correct_share) if answered else None


def statistics_for(quizzes: Sequence[Quiz]) -> dict[int, QuizStatistics]:
    """{quiz id: statistics} for ``quizzes``: attempts, participants, the pass rate of
    first (scored) attempts, and each question's share of correct scored answers. Two
    queries, whatever the number of quizzes."""
    ids = [quiz.pk for quiz in quizzes]
    totals = {
        row["quiz_id"]: row
        for row in QuizAttempt.objects.filter(quiz_id__in=ids)
        .values("quiz_id")
        .annotate(
            attempts=Count("pk"),
            participants=Count("participant", distinct=True),
            scored_attempts=Count("pk", filter=Q(scored=True)),
            passed_scored=Count("pk", filter=Q(scored=True, passed=True)),
        )
    }
    answers = {
        (row["attempt__quiz_id"], row["question_id"]): row
        for row in AnsweredQuestion.objects.filter(attempt__quiz_id__in=ids, attempt__scored=True)
        .values("attempt__quiz_id", "question_id")
        .annotate(answers=Count("pk"), correct=Count("pk", filter=Q(correct=True)))
    }
    statistics = {}
    for quiz in quizzes:
        total = totals.get(quiz.pk, {})
        statistics[quiz.pk] = QuizStatistics(
            attempts=total.get("attempts", 0),
            participants=total.get("participants", 0),
            scored_attempts=total.get("scored_attempts", 0),
            passed_scored=total.get("passed_scored", 0),
            questions=[
                QuestionStatistics(
                    question_id=question_id,
                    text=value["text"],
                    answers=answers.get((quiz.pk, question_id), {}).get("answers", 0),
                    correct=answers.get((quiz.pk, question_id), {}).get("correct", 0),
                )
                for question_id, value in quiz.question_blocks()
            ],
        )
    return statistics


def quiz_statistics(quiz: Quiz) -> QuizStatistics:
    """``statistics_for`` one quiz."""
    return statistics_for([quiz])[quiz.pk]


# --- personal data -------------------------------------------------------------------------


def anonymise_inactive_participants(now: datetime.datetime | None = None) -> int:
    """Remove the e-mail, nickname and tokens of participants inactive for
    QUESTS_ANONYMISE_AFTER_DAYS; their ledger stays, unnamed. Idempotent."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.QUESTS_ANONYMISE_AFTER_DAYS)
    stale = Participant.objects.filter(last_seen_at__lt=cutoff, anonymised_at__isnull=True)
    count = 0
    for participant in stale.iterator():
        with transaction.atomic():
            participant.email = f"anonymised-{participant.pk}@invalid"
            participant.nickname = participant.nickname_key = None
            participant.on_leaderboard = False
            participant.consent_ip = None
            participant.anonymised_at = now
            participant.save(
                update_fields=[
                    "email",
                    "nickname",
                    "nickname_key",
                    "on_leaderboard",
                    "consent_ip",
                    "anonymised_at",
                ]
            )
            participant.tokens.all().delete()
            count += 1
    return count
