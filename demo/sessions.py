"""Demo excursion sessions, so a newcomer can book right after `make run`.

Dates are relative to the day of the first run: upcoming sessions with free seats, one
full with a waitlist, and past ones with attendance marked. A session is found again
by its enterprise and title, so later runs add nothing and change nothing.
"""

import datetime

from django.utils import timezone

from booking import tokens
from booking.models import Registration, TourSession
from catalogue.models import EventFormat
from pages.models import EnterprisePage

Status = Registration.Status

# (enterprise slug, format slug, title, days from today, hour, capacity, registrations)
# registrations: a list of (seats, status) parties, in the order they registered.
SESSIONS = [
    (
        "shcherbinskiy-liftostroitelnyy-zavod", "ochnye-ekskursii", "Как собирают лифт",
        10, 11, 25, [(2, Status.CONFIRMED), (3, Status.CONFIRMED), (1, Status.CONFIRMED)],
    ),
    (
        "avtozavod-moskvich", "ochnye-ekskursii", "Конвейер автозавода «Москвич»",
        14, 12, 20,
        [(4, Status.CONFIRMED)] * 5 + [(2, Status.WAITLISTED), (3, Status.WAITLISTED)],
    ),
    (
        "fabrika-ralf-ringer", "master-klassy", "Мастер-класс: как шьют обувь",
        21, 15, 15, [],
    ),
    ("pao-il", "ochnye-ekskursii", "Авиационное производство изнутри", 7, 10, 30, []),
    (
        "nauchnye-razvlecheniya", "onlain-ekskursii", "Онлайн: как рождается научный набор",
        12, 17, 200, [(1, Status.CONFIRMED)],
    ),
    (
        "obedinyonnye-konditery", "ochnye-ekskursii", "Кондитерская фабрика: от какао-бобов",
        -20, 11, 20,
        [(2, Status.ATTENDED)] * 4 + [(1, Status.NO_SHOW), (1, Status.NO_SHOW)],
    ),
    (
        "nanotehnologicheskiy-tsentr-kompozitov", "ochnye-ekskursii", "Композиты для города",
        -40, 14, 15, [(3, Status.ATTENDED), (2, Status.ATTENDED), (1, Status.NO_SHOW)],
    ),
]  # fmt: skip

VISITORS = [
    "Анна Смирнова", "Иван Кузнецов", "Мария Попова", "Дмитрий Васильев", "Елена Морозова",
    "Сергей Новиков", "Ольга Фёдорова", "Алексей Волков", "Наталья Лебедева", "Павел Соколов",
]  # fmt: skip


def ensure_demo_sessions(report) -> None:
    """Create the demo sessions that do not exist yet (needs the demo enterprises)."""
    enterprises = {page.slug: page for page in EnterprisePage.objects.all()}
    formats = {item.slug: item for item in EventFormat.objects.all()}
    today = timezone.localdate()
    moscow = timezone.get_default_timezone()  # TIME_ZONE: sessions are at Moscow hours
    visitor = 0
    for slug, format_slug, title, days, hour, capacity, parties in SESSIONS:
        enterprise = enterprises.get(slug)
        event_format = formats.get(format_slug)
        if enterprise is None or event_format is None:
            continue  # an editor removed it: leave it removed
        exists = TourSession.objects.filter(enterprise=enterprise, title=title).exists()
        report.count("сеансы", created=not exists)
        if exists:
            continue
        day = today + datetime.timedelta(days=days)
        starts_at = datetime.datetime.combine(day, datetime.time(hour), moscow)
        online = format_slug.startswith("onlain")
        session = TourSession.objects.create(
            enterprise=enterprise,
            event_format=event_format,
            title=title,
            description="Демонстрационный сеанс: на него можно записаться из GraphiQL.",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
            capacity=capacity,
            max_party_size=4,
            meeting_point="" if online else "Проходная предприятия, за 15 минут до начала",
            stream_url="https://vk.com/video-100000000_1" if online else "",
            min_age=enterprise.min_age,
            for_schoolchildren=True,
            id_document_required=enterprise.id_document_required,
        )
        for order, (seats, status) in enumerate(parties):
            name = VISITORS[visitor % len(VISITORS)]
            visitor += 1
            registered_at = starts_at - datetime.timedelta(days=10, minutes=-order)
            salt = tokens.new_salt()
            Registration.objects.create(
                session=session,
                name=name,
                email=f"demo-{session.pk}-{order}@example.org",
                phone=f"+7900000{visitor:04d}",
                seats=seats,
                status=status,
                token_salt=salt,
                token_hash=tokens.hash_token(tokens.token_for_salt(salt)),
                created_at=registered_at,
                confirmed_at=registered_at if status != Status.WAITLISTED else None,
                checked_in_at=starts_at if status == Status.ATTENDED else None,
            )
