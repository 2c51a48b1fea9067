"""The demo content command (``load_demo_content``) and the demo admin (``ensure_demo_admin``).

Loading the whole demo site takes a few seconds, so ``TestDemoContent`` loads it once into a
transaction that is rolled back after the class; each test runs in its own savepoint inside
it, as with Django's ``setUpTestData``.
"""

import stat
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, PageLogEntry, Revision, Site

from catalogue.models import Award, District, EventFormat, Industry, Season
from demo.loader import WAGTAIL_WELCOME_TITLE, DemoContentLoader
from pages.models import (
    AwardsPage,
    EnterpriseGalleryImage,
    EnterpriseIndexPage,
    EnterprisePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgrammeSettings,
    VideoEpisode,
    VideoIndexPage,
    VideoSeriesPage,
)
from quests.models import Prize, Quiz, SessionGate, Task

Image = get_image_model()

# Every enterprise the programme's news name, as a fragment of its page title.
PROGRAMME_ENTERPRISES = [
    "Щербинский лифтостроительный завод",
    "«Москвич»",
    "«Ральф Рингер»",
    "«Мослифт»",
    "«Экопласт»",
    "«Эстет»",
    "«Научные развлечения»",
    "Хруничева",
    "«Ил»",
    "«Молния»",
    "«Объединённые кондитеры»",
    "Нанотехнологический центр композитов",
    "«Рэнера»",
]


def run_loader() -> str:
    """Run the command as a developer would; returns what it printed."""
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    """Counts of everything the loader creates, to compare two runs."""
    return {
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "revisions": Revision.objects.count(),
        "page log entries": PageLogEntry.objects.count(),
        "images": Image.objects.count(),
        "collections": Collection.objects.count(),
        "industries": Industry.objects.count(),
        "districts": District.objects.count(),
        "formats": EventFormat.objects.count(),
        "seasons": Season.objects.count(),
        "awards": Award.objects.count(),
        "gallery images": EnterpriseGalleryImage.objects.count(),
        "episodes": VideoEpisode.objects.count(),
        "tags": Tag.objects.count(),
        "sites": Site.objects.count(),
        "settings": ProgrammeSettings.objects.count(),
        "quizzes": Quiz.objects.count(),
        "tasks": Task.objects.count(),
        "prizes": Prize.objects.count(),
        "gated sessions": SessionGate.objects.count(),
    }


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site loaded once on the freshly migrated database; rolled back afterwards."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        override_settings(MEDIA_ROOT=str(media)),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield run_loader()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestDemoContent:
    def test_first_run_reports_only_creations(self, demo_output):
        summary = demo_output.splitlines()[0]
        assert "уже было 0." in summary
        assert "создано 0," not in summary

    def test_home_page_replaces_the_welcome_page_as_site_root(self):
        site = Site.objects.get(is_default_site=True)
        assert isinstance(site.root_page.specific, HomePage)
        assert site.root_page.title == "Открой#Моспром"
        assert site.site_name == "Открой#Моспром"
        assert (site.hostname, site.port) == ("localhost", 80)
        assert not Page.objects.filter(title=WAGTAIL_WELCOME_TITLE).exists()

    def test_sections_have_the_right_types_and_slugs(self):
        home = HomePage.objects.get()
        sections = {page.slug: type(page.specific) for page in home.get_children()}
        assert sections == {
            "novosti": NewsIndexPage,
            "predpriyatiya": EnterpriseIndexPage,
            "video": VideoIndexPage,
            "nagrady": AwardsPage,
        }
        assert EnterprisePage.objects.child_of(home.get_children().get(slug="predpriyatiya"))
        assert NewsPage.objects.child_of(home.get_children().get(slug="novosti"))

    def test_every_page_is_published_through_a_revision(self):
        pages = Page.objects.exclude(depth=1)
        assert pages.count() > 20
        for page in pages:
            assert page.live, page
            assert page.live_revision_id is not None, page
            assert not page.has_unpublished_changes, page

    def test_second_run_changes_nothing(self, settings):
        before = snapshot()
        files_before = sorted(Path(settings.MEDIA_ROOT).rglob("*"))

        output = run_loader()

        assert snapshot() == before
        assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == files_before
        assert output.splitlines()[0].startswith("Демо-контент: создано 0,")

    def test_an_editors_change_survives_a_rerun(self):
        page = EnterprisePage.objects.get(slug="avtozavod-moskvich")
        page.title = "Автозавод «Москвич» (правка редактора)"
        page.min_age = 16
        page.save_revision().publish()
        settings_row = ProgrammeSettings.objects.get()
        settings_row.excursions_since_2019 = 2500
        settings_row.save()

        run_loader()

        page = EnterprisePage.objects.get(slug="avtozavod-moskvich")
        assert page.title == "Автозавод «Москвич» (правка редактора)"
        assert page.min_age == 16
        assert page.revisions.count() == 2
        assert ProgrammeSettings.objects.get().excursions_since_2019 == 2500

    def test_a_deleted_page_is_created_again(self):
        NewsPage.objects.get(slug="kviz-pliz-tehnopolis-2021").delete()

        output = run_loader()

        assert NewsPage.objects.live().filter(slug="kviz-pliz-tehnopolis-2021").exists()
        assert "страницы: создано 1," in output

    def test_every_enterprise_of_the_programme_is_live_and_complete(self):
        enterprises = list(EnterprisePage.objects.live())
        for name in PROGRAMME_ENTERPRISES:
            assert any(name in page.title for page in enterprises), name
        for page in enterprises:
            assert page.short_description and len(page.body) >= 2, page
            assert page.logo and page.cover_image, page
            assert page.gallery_images.count() == 2, page
            assert page.industries.exists() and page.formats.exists(), page
            assert page.district is not None, page
            # Only the years the sources state are filled in; the rest are unknown, not guessed.
            assert page.joined_year is None or 2019 <= page.joined_year <= 2025, page
            assert not (page.contact_email or page.contact_phone), page
        assert {page.kind for page in enterprises} == {"enterprise", "museum", "technopark"}
        assert {page.min_age for page in enterprises} >= {5, 10, 14}
        assert {page.id_document_required for page in enterprises} == {True, False}

    def test_enterprise_facts(self):
        joined = dict(EnterprisePage.objects.values_list("slug", "joined_year"))
        assert joined["shcherbinskiy-liftostroitelnyy-zavod"] == 2021
        assert joined["avtozavod-moskvich"] == 2023
        assert joined["renera"] == 2025
        residents = EnterprisePage.objects.filter(is_technopolis_resident=True)
        assert [page.slug for page in residents] == ["nanotehnologicheskiy-tsentr-kompozitov"]

    def test_news_are_live_dated_and_illustrated(self):
        news = list(NewsPage.objects.live())
        assert len(news) >= 8
        moscow = timezone.get_default_timezone()
        for page in news:
            assert page.hero_image is not None, page
            assert page.lead, page
            assert "paragraph" in [block.block_type for block in page.body], page
            assert page.source_name, page
            # The feed shows the news date, in Moscow time, as the first publication.
            assert page.first_published_at.astimezone(moscow).date() == page.date, page
            assert page.tags.exists(), page
        dates = {page.date for page in news}
        assert {date(2021, 4, 16), date(2023, 10, 26), date(2025, 8, 29)} <= dates
        # The sources date these only to the month (January 2026).
        assert any((d.year, d.month) == (2026, 1) for d in dates)

    def test_news_quote_people_and_link_enterprises(self):
        quotes = [
            block.value
            for page in NewsPage.objects.live()
            for block in page.body
            if block.block_type == "quote"
        ]
        speakers = {quote["speaker_name"] for quote in quotes}
        assert {"Владимир Ефимов", "Владислав Овчинский", "Анатолий Гарбузов"} <= speakers
        assert all(quote["speaker_position"] for quote in quotes)
        season = NewsPage.objects.get(slug="vosmoy-sezon-1-24-noyabrya-2023")
        assert season.related_enterprises.filter(slug="avtozavod-moskvich").exists()
        assert season.industries.exists()

    def test_video_series_has_episodes(self):
        series = VideoSeriesPage.objects.live().get(slug="rabochie-dinastii")
        assert series.platform == VideoSeriesPage.Platform.VK
        assert series.partner == "АНО «Институт развития интернета»"
        assert series.cover_image is not None
        episodes = list(series.episodes.order_by("number"))
        assert [episode.number for episode in episodes][:3] == [1, 2, 3]
        for episode in episodes:
            assert episode.video_url.startswith("https://vk.com/video")
            assert episode.duration_seconds and episode.published_on
            assert episode.enterprises.exists()

    def test_awards_are_published_snippets(self):
        awards = {award.title: award for award in Award.objects.published()}
        route = awards["Маршрут построен"]
        assert (route.nomination, route.place, route.date) == (
            "Промышленный маршрут",
            1,
            date(2023, 6, 1),
        )
        bema = awards["bema!"]
        assert (bema.nomination, bema.place) == ("Лучшая промышленная экскурсия", 3)
        for award in awards.values():
            assert award.live_revision_id is not None
            assert award.image is not None

    def test_catalogue(self):
        abbreviations = set(District.objects.values_list("abbreviation", flat=True))
        assert abbreviations == {
            "ЦАО", "САО", "СВАО", "ВАО", "ЮВАО", "ЮАО",
            "ЮЗАО", "ЗАО", "СЗАО", "ЗелАО", "НАО", "ТАО",
        }  # fmt: skip
        assert EventFormat.objects.count() >= 9
        assert EventFormat.objects.filter(is_online=True).exists()
        assert EventFormat.objects.filter(is_online=False).exists()
        assert Industry.objects.count() >= 11
        stage = Season.objects.get(slug="etap-aprel-2021")
        assert (stage.kind, stage.start_date, stage.end_date) == (
            "stage",
            date(2021, 4, 22),
            date(2021, 4, 24),
        )
        eighth = Season.objects.get(slug="sezon-8-noyabr-2023")
        assert (eighth.planned_excursions, eighth.planned_master_classes) == (120, 50)
        assert Season.objects.filter(start_date=date(2025, 11, 18)).exists()

    def test_programme_settings_hold_the_historical_totals(self):
        totals = ProgrammeSettings.for_site(Site.objects.get(is_default_site=True))
        assert totals.excursions_since_2019 == 2000
        assert totals.online_audience_total == 7_700_000
        assert totals.enterprises_total == 150
        assert totals.awards_total == 7

    def test_sessions_to_book_right_away(self):
        from booking.models import Registration, TourSession

        upcoming = [s for s in TourSession.objects.upcoming() if s.is_registration_open()]
        assert any(s.seats_left() > 0 for s in upcoming)
        full = [s for s in upcoming if s.seats_left() == 0]
        assert full and full[0].registrations.filter(status="waitlisted").exists()
        past = TourSession.objects.filter(ends_at__lt=timezone.now())
        marked = Registration.objects.filter(session__in=past).values_list("status", flat=True)
        assert {"attended", "no_show"} <= set(marked)
        for session in TourSession.objects.all():
            assert session.seats_taken() <= session.capacity, session

    def test_the_game_a_newcomer_can_play(self):
        from booking import services as booking
        from quests import services
        from tests.factories import ParticipantFactory

        quizzes = list(Quiz.objects.published())
        assert len(quizzes) >= 3
        for quiz in quizzes:
            quiz.full_clean()  # what the editor's form would accept
            assert len(quiz.question_blocks()) >= 3
        assert Task.objects.count() >= 4 and len(set(Task.objects.values_list("kind"))) >= 3
        titles = " ".join(Prize.objects.values_list("title", flat=True))
        for prize in ("колонка", "Пауэрбанк", "Термос", "Шопер", "Книга"):
            assert prize in titles
        (gate,) = SessionGate.objects.select_related("session", "task")
        assert gate.session.is_registration_open() and gate.session.seats_left() > 0

        # The README's walk-through: the task's quiz, then the session and the cheapest prize.
        player = ParticipantFactory()
        quiz = gate.task.quiz
        answers = {qid: services.correct_options(v) for qid, v in quiz.question_blocks()}
        outcome = services.submit_answers(player.token, quiz.slug, answers)
        assert outcome.completed_tasks == [gate.task]
        booking.register(
            booking.RegistrationRequest(
                session_id=gate.session.pk,
                name="Новый Участник",
                email=player.email,
                phone="+79000000000",
                seats=1,
                consent_to_processing=True,
                consent_to_transfer=True,
                youngest_participant_age=18,
            )
        )
        cheapest = Prize.objects.order_by("price").first()
        assert services.claim_prize(player.token, cheapest.pk).price == cheapest.price

    def test_images_are_local_files_with_alt_text(self):
        images = list(Image.objects.all())
        assert images
        for image in images:
            assert image.description.startswith("Демонстрационная иллюстрация"), image
            assert image.file.storage.exists(image.file.name), image
            assert (image.width, image.height) in {(1200, 800), (400, 400)}, image

    def test_published_pages_are_searchable(self):
        found = EnterprisePage.objects.live().search("Москвич")
        assert [page.slug for page in found] == ["avtozavod-moskvich"]


@pytest.mark.django_db
def test_loader_keeps_what_editors_already_made(settings, tmp_path):
    """An edited welcome page, filled-in totals and a renamed industry are left alone."""
    settings.MEDIA_ROOT = str(tmp_path)
    welcome = Page.objects.get(title=WAGTAIL_WELCOME_TITLE)
    welcome.title = "Наш сайт"
    welcome.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    ProgrammeSettings.objects.create(site=site, enterprises_total=151)
    Industry.objects.create(slug="aviatsiya", name="Авиационная промышленность")

    # The steps that touch these objects, without the (slow) enterprise and news pages.
    loader = DemoContentLoader()
    loader.ensure_catalogue()
    home, created = loader.ensure_home_page()
    site = loader.ensure_site(home, created)
    loader.ensure_programme_settings(site)

    assert Page.objects.filter(pk=welcome.pk, title="Наш сайт").exists()
    assert home.slug == "otkroi-mosprom"  # "home" is still the edited page's
    assert site.root_page_id == home.pk
    assert ProgrammeSettings.objects.get(site=site).enterprises_total == 151
    assert ProgrammeSettings.objects.get(site=site).excursions_since_2019 is None
    assert Industry.objects.get(slug="aviatsiya").name == "Авиационная промышленность"
    assert loader.report.found["отрасли"] == 1
    assert any("Наш сайт" in note for note in loader.report.notes)


# --- ensure_demo_admin -------------------------------------------------------------------------


def run_ensure_admin() -> str:
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ensure_demo_admin_creates_once_and_keeps_the_password(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    password_file = tmp_path / "admin-password.txt"

    first = run_ensure_admin()

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    password = password_file.read_text().strip()
    assert len(password) >= 20
    assert admin.check_password(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert "http://127.0.0.1:8000/admin/" in first
    assert password in first

    second = run_ensure_admin()

    assert get_user_model().objects.filter(username="admin").count() == 1
    assert get_user_model().objects.get(username="admin").password == admin.password
    assert password_file.read_text().strip() == password
    assert password in second


@pytest.mark.django_db
def test_ensure_demo_admin_never_changes_an_existing_password(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "chosen-by-me")

    output = run_ensure_admin()

    admin.refresh_from_db()
    assert admin.check_password("chosen-by-me")
    assert not (tmp_path / "admin-password.txt").exists()
    assert "manage.py changepassword admin" in output
