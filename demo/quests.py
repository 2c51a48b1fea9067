"""The demo game: a season running now, three quizzes, four tasks, the programme's
prizes and one excursion that opens only to those who did a task.

A newcomer can play it from GraphiQL right after `make run`: ask for a link (the letter
with the token is printed in the server's console), answer «Открой#Моспром: пять
фактов», register for the gated session, claim a tote bag. Everything is found again by
its slug or title, so later runs add nothing and change nothing.
"""

import datetime
import uuid

from django.utils import timezone

from booking.models import TourSession
from catalogue.models import EventFormat, Industry, Season
from pages.models import EnterprisePage
from quests.models import Prize, Quiz, SessionGate, Task

SEASON = {
    "slug": "igrovoy-sezon",
    "name": "Игровой сезон «Открытой промышленности»",
    "description": "Викторины и задания мини-приложения: баллы, призы и экскурсии для "
    "тех, кто выполнил задания.",
}

# (text, [(option, correct)], explanation)
QUIZZES = [
    {
        "slug": "pyat-faktov-o-programme",
        "title": "«Открой#Моспром»: пять фактов",
        "intro": "Разминка для тех, кто только знакомится с программой.",
        "points": 30,
        "pass_mark": 4,
        "industry": None,
        "enterprise": None,
        "questions": [
            (
                "С какого года работает программа «Открой#Моспром»?",
                [("С 2015", False), ("С 2019", True), ("С 2023", False)],
                "Программа открыла первые предприятия в марте 2019 года.",
            ),
            (
                "Кто проводит программу?",
                [
                    ("Департамент инвестиционной и промышленной политики Москвы", True),
                    ("Министерство культуры", False),
                    ("Сами предприятия, без города", False),
                ],
                "Программу ведёт столичный Департамент инвестиционной и промышленной "
                "политики (ДИПП).",
            ),
            (
                "Сколько стоит экскурсия по программе?",
                [("Бесплатно", True), ("500 рублей", False), ("По-разному", False)],
                "Все экскурсии и мастер-классы программы бесплатны, нужна только запись.",
            ),
            (
                "Не позднее чем за сколько дней до экскурсии можно подать заявку?",
                [("За день", False), ("За три дня", True), ("За месяц", False)],
                "Запись закрывается за три дня: предприятию нужно время, чтобы оформить пропуска.",
            ),
            (
                "Какие форматы есть в программе? Отметьте все верные.",
                [
                    ("Очные экскурсии", True),
                    ("Мастер-классы", True),
                    ("Интеллектуальные игры «КВИЗ, ПЛИЗ!»", True),
                    ("Ночные гонки по цехам", False),
                ],
                "Форматов около десяти: от очных и онлайн-экскурсий до мастер-классов и "
                "квизов в конгресс-центре «Технополиса «Москва».",
            ),
        ],
    },
    {
        "slug": "kryla-i-rakety",
        "title": "Крылья и ракеты Москвы",
        "intro": "Авиация и космос: предприятия, которые можно увидеть изнутри.",
        "points": 40,
        "pass_mark": 2,
        "industry": "aviatsiya",
        "enterprise": "pao-il",
        "questions": [
            (
                "Чем занимается ПАО «Ил»?",
                [("Самолётостроением", True), ("Производством обуви", False)],
                "«Ил» — одно из старейших авиационных конструкторских бюро страны.",
            ),
            (
                "Какие из этих предприятий связаны с авиацией и космосом?",
                [
                    ("НПО «Молния»", True),
                    ("ГКНПЦ имени М. В. Хруничева", True),
                    ("Фабрика «Ральф Рингер»", False),
                    ("Завод «Эстет»", False),
                ],
                "НПО «Молния» — аэрокосмическое предприятие, а центр Хруничева хранит "
                "историю космической отрасли.",
            ),
            (
                "Что можно увидеть в центре Хруничева?",
                [("Историю космической отрасли", True), ("Кондитерский цех", False)],
                "Экскурсии центра рассказывают о ракетах и о том, как создавалась "
                "космическая промышленность.",
            ),
        ],
    },
    {
        "slug": "kak-delayut-lifty",
        "title": "Как делают лифты",
        "intro": "Два лифтовых производства Москвы и экскурсии на них.",
        "points": 30,
        "pass_mark": 2,
        "industry": "liftostroenie",
        "enterprise": "shcherbinskiy-liftostroitelnyy-zavod",
        "questions": [
            (
                "Когда Щербинский лифтостроительный завод впервые принял гостей программы?",
                [("В 2019 году", False), ("В 2021 году", True), ("В 2024 году", False)],
                "Завод открыл двери посетителям на весеннем этапе 2021 года.",
            ),
            (
                "Что выпускает «Мослифт»?",
                [("Лифты и лифтовое оборудование", True), ("Трамваи", False)],
                "«Мослифт» производит и обслуживает лифты.",
            ),
            (
                "Сколько человек обычно в группе на экскурсии?",
                [("2–3", False), ("15–40", True), ("100–200", False)],
                "Группы — от 15 до 40 человек, экскурсия длится около часа.",
            ),
        ],
    },
]

TASKS = [
    # (slug, title, description, kind, quiz slug, industry slug, target, points)
    (
        "znatok-programmy", "Знаток программы",
        "Пройдите викторину «Открой#Моспром»: пять фактов» — и откроется запись на "
        "экскурсию для знатоков.",
        Task.Kind.PASS_QUIZ, "pyat-faktov-o-programme", None, 1, 20,
    ),
    (
        "krylya-moskvy", "Крылья Москвы", "Пройдите викторину об авиации.",
        Task.Kind.PASS_INDUSTRY_QUIZZES, None, "aviatsiya", 1, 20,
    ),
    (
        "pervaya-ekskursiya", "Первая экскурсия",
        "Побывайте на экскурсии этого сезона: баллы начислятся, когда вас отметят на месте.",
        Task.Kind.ATTEND_EXCURSION, None, None, 1, 50,
    ),
    (
        "dve-otrasli", "Две отрасли",
        "Побывайте на экскурсиях в двух разных отраслях.",
        Task.Kind.ATTEND_INDUSTRIES, None, None, 2, 100,
    ),
]  # fmt: skip

PRIZES = [
    # (title, description, stock, price, handout)
    ("Шопер «Открой#Моспром»", "Холщовая сумка с символикой программы.", 50, 50, "at_excursion"),
    ("Книга о московской промышленности", "Истории заводов столицы.", 40, 80, "pickup_point"),
    ("Термос", "Фирменный термос программы.", 30, 100, "pickup_point"),
    ("Пауэрбанк", "Внешний аккумулятор с логотипом программы.", 20, 150, "pickup_point"),
    ("Умная колонка", "Главный приз сезона.", 5, 300, "post"),
]

GATED_SESSION = {
    "enterprise": "avtozavod-moskvich",
    "format": "ochnye-ekskursii",
    "title": "Для знатоков: сборочный цех «Москвича»",
    "days": 18,
    "hour": 12,
    "task": "znatok-programmy",
}


def _question(text: str, options: list[tuple[str, bool]], explanation: str) -> dict:
    return {
        "type": "question",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-quiz:{text}")),
        "value": {
            "text": text,
            "image": None,
            "options": [
                {
                    "type": "item",
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-option:{text}:{n}")),
                    "value": {"text": option, "correct": correct},
                }
                for n, (option, correct) in enumerate(options)
            ],
            "explanation": explanation,
        },
    }


def ensure_demo_game(report) -> None:
    """Create what of the demo game does not exist yet (needs the demo enterprises)."""
    today = timezone.localdate()
    season = Season.objects.filter(slug=SEASON["slug"]).first()
    report.count("сезоны", created=season is None)
    if season is None:
        season = Season.objects.create(
            **SEASON,
            start_date=today - datetime.timedelta(days=7),
            end_date=today + datetime.timedelta(days=90),
        )
    enterprises = {page.slug: page for page in EnterprisePage.objects.all()}
    industries = {item.slug: item for item in Industry.objects.all()}

    quizzes = {}
    for data in QUIZZES:
        quiz = Quiz.objects.filter(slug=data["slug"]).first()
        report.count("викторины", created=quiz is None)
        if quiz is None:
            quiz = Quiz.objects.create(
                slug=data["slug"],
                title=data["title"],
                intro=data["intro"],
                season=season,
                enterprise=enterprises.get(data["enterprise"]),
                industry=industries.get(data["industry"]),
                points=data["points"],
                pass_mark=data["pass_mark"],
                questions=[_question(*question) for question in data["questions"]],
                live=False,
            )
            quiz.save_revision().publish()
        quizzes[quiz.slug] = quiz

    tasks = {}
    for slug, title, description, kind, quiz_slug, industry_slug, target, points in TASKS:
        task = Task.objects.filter(slug=slug).first()
        report.count("задания", created=task is None)
        if task is None:
            task = Task.objects.create(
                slug=slug,
                title=title,
                description=description,
                kind=kind,
                season=season,
                quiz=quizzes.get(quiz_slug),
                industry=industries.get(industry_slug),
                target_count=target,
                points=points,
            )
        tasks[slug] = task

    for order, (title, description, stock, price, handout) in enumerate(PRIZES):
        exists = Prize.objects.filter(title=title).exists()
        report.count("призы", created=not exists)
        if not exists:
            Prize.objects.create(
                title=title,
                description=description,
                stock=stock,
                price=price,
                handout=handout,
                handout_details="Пункт выдачи: офис программы, пн–пт с 10 до 18."
                if handout == "pickup_point"
                else "",
                season=season,
                sort_order=order,
            )

    _ensure_gated_session(report, season, enterprises, tasks)


def _ensure_gated_session(report, season, enterprises, tasks) -> None:
    data = GATED_SESSION
    enterprise = enterprises.get(data["enterprise"])
    event_format = EventFormat.objects.filter(slug=data["format"]).first()
    task = tasks.get(data["task"])
    if enterprise is None or event_format is None or task is None:
        return  # an editor removed it: leave it removed
    session = TourSession.objects.filter(enterprise=enterprise, title=data["title"]).first()
    report.count("сеансы по заданию", created=session is None)
    if session is not None:
        return
    moscow = timezone.get_default_timezone()
    day = timezone.localdate() + datetime.timedelta(days=data["days"])
    starts_at = datetime.datetime.combine(day, datetime.time(data["hour"]), moscow)
    session = TourSession.objects.create(
        enterprise=enterprise,
        event_format=event_format,
        season=season,
        title=data["title"],
        description="Запись открыта тем, кто выполнил задание «Знаток программы» в "
        "мини-приложении, с тем же e-mail.",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
        capacity=20,
        max_party_size=2,
        meeting_point="Проходная предприятия, за 15 минут до начала",
        min_age=enterprise.min_age,
        id_document_required=enterprise.id_document_required,
    )
    SessionGate.objects.create(session=session, task=task)
