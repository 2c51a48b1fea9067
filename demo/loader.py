"""Puts the demo content into the database: creates what is missing, leaves the rest alone.

Everything is keyed by slug (awards by title and nomination, images by title). An object that
already exists is never changed, so re-running the loader never undoes an editor's change and
creates no new revisions; the only writes to existing rows fill in blanks (the default Site's
name, programme totals nobody has entered yet). Pages are published through a revision, as
an editor would, so they have history, ``live_revision`` and a search index entry.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page, Site

from catalogue.models import Award, District, EventFormat, Industry, Season
from demo import content
from demo.images import ImageSpec, demo_collection, get_or_create_image
from demo.quests import ensure_demo_game
from demo.sessions import ensure_demo_sessions
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

# News go out in the morning, Moscow time (TIME_ZONE), on their date.
NEWS_PUBLISHED_AT = time(10, 0)
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


@dataclass
class LoadReport:
    """What the loader created, filled in or found already there, by kind of object."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)  # blank fields filled in, nothing else
    found: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # in the order the loader met them

    def count(self, kind: str, created: bool) -> None:
        """Record one object of ``kind`` as created or as found."""
        self._add(self.created if created else self.found, kind)

    def count_update(self, kind: str) -> None:
        """Record one existing object of ``kind`` whose blank fields were filled in."""
        self._add(self.updated, kind)

    def _add(self, counter: Counter, kind: str) -> None:
        counter[kind] += 1
        if kind not in self.kinds:
            self.kinds.append(kind)

    @staticmethod
    def _describe(created: int, updated: int, found: int) -> str:
        parts = [f"создано {created}"]
        if updated:
            parts.append(f"дополнено {updated}")
        parts.append(f"уже было {found}")
        return ", ".join(parts)

    def summary_lines(self) -> list[str]:
        """A short human-readable summary, one line per kind, then any notes."""
        totals = (self.created.total(), self.updated.total(), self.found.total())
        lines = [f"Демо-контент: {self._describe(*totals)}."]
        lines += [
            f"  {kind}: " + self._describe(self.created[kind], self.updated[kind], self.found[kind])
            for kind in self.kinds
        ]
        lines += [f"  ! {note}" for note in self.notes]
        return lines


@transaction.atomic
def load_demo_content() -> LoadReport:
    """Create the demo catalogue, page tree, images and settings that are missing.

    Runs in one transaction: a failure leaves the database as it was (image files already
    written stay in the media folder, unreferenced).
    """
    loader = DemoContentLoader()
    loader.run()
    return loader.report


class DemoContentLoader:
    """One run of the loader; holds the report and the catalogue lookups between steps."""

    def __init__(self) -> None:
        self.report = LoadReport()

    def run(self) -> None:
        """Every step in dependency order: catalogue, then the pages that refer to it."""
        self.ensure_catalogue()
        self.ensure_awards()
        home, home_created = self.ensure_home_page()
        site = self.ensure_site(home, home_created)
        news_index = self.ensure_section(home, NewsIndexPage, content.SECTIONS["news"])
        enterprise_index = self.ensure_section(
            home, EnterpriseIndexPage, content.SECTIONS["enterprises"]
        )
        video_index = self.ensure_section(home, VideoIndexPage, content.SECTIONS["video"])
        self.ensure_section(home, AwardsPage, content.SECTIONS["awards"])
        if enterprise_index:
            self.ensure_enterprises(enterprise_index)
        if news_index:
            self.ensure_news(news_index)
        if video_index:
            self.ensure_video_series(video_index)
        self.ensure_programme_settings(site)
        ensure_demo_sessions(self.report)
        ensure_demo_game(self.report)

    # --- helpers ---------------------------------------------------------------------------

    @cached_property
    def collection(self):
        return demo_collection()

    def image(self, key: str, title: str, style: str, subject: str = ""):
        """The demo image with this title, drawn only if it does not exist yet."""
        spec = ImageSpec(key=key, title=title, style=style, subject=subject)
        image, created = get_or_create_image(spec, self.collection)
        self.report.count("изображения", created)
        return image

    def publish_child(self, parent: Page, page: Page) -> Page:
        """Add ``page`` under ``parent`` and publish it through its first revision."""
        page.live = False  # it goes live by publishing the revision, like an editor's page
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.report.count("страницы", created=True)
        return page

    def existing_child(self, parent: Page, slug: str) -> Page | None:
        """The child of ``parent`` with this slug (slugs are unique among siblings)."""
        page = parent.get_children().filter(slug=slug).first()
        if page is not None:
            self.report.count("страницы", created=False)
            return page.specific
        return None

    @staticmethod
    def pick(objects: dict, slugs: list[str]) -> list:
        """The objects for these slugs; a slug an editor has changed is simply skipped."""
        return [objects[slug] for slug in slugs if slug in objects]

    @cached_property
    def industries(self) -> dict[str, Industry]:
        return {item.slug: item for item in Industry.objects.all()}

    @cached_property
    def districts(self) -> dict[str, District]:
        return {item.slug: item for item in District.objects.all()}

    @cached_property
    def formats(self) -> dict[str, EventFormat]:
        return {item.slug: item for item in EventFormat.objects.all()}

    def enterprises(self) -> dict[str, EnterprisePage]:
        """Enterprise pages by slug, as they are now (read after they have been created)."""
        return {page.slug: page for page in EnterprisePage.objects.all()}

    # --- catalogue ---------------------------------------------------------------------------

    def get_or_create_named(self, model, kind: str, slug: str, name: str, **fields) -> None:
        """A catalogue item, found by slug or by its (unique) name, created if neither exists."""
        exists = model.objects.filter(Q(slug=slug) | Q(name=name)).exists()
        if not exists:
            model.objects.create(slug=slug, name=name, **fields)
        self.report.count(kind, created=not exists)

    def ensure_catalogue(self) -> None:
        """Industries, okrugs, formats and seasons."""
        for slug, name in content.INDUSTRIES:
            self.get_or_create_named(Industry, "отрасли", slug, name)
        for slug, name, abbreviation in content.DISTRICTS:
            self.get_or_create_named(District, "округа", slug, name, abbreviation=abbreviation)
        for order, data in enumerate(content.FORMATS, start=1):
            fields = {k: v for k, v in data.items() if k not in ("slug", "name")}
            self.get_or_create_named(
                EventFormat, "форматы", data["slug"], data["name"], sort_order=order * 10, **fields
            )
        for data in content.SEASONS:
            exists = Season.objects.filter(slug=data["slug"]).exists()
            if not exists:
                Season.objects.create(**data)
            self.report.count("сезоны", created=not exists)

    def ensure_awards(self) -> None:
        """The programme's awards as published snippets."""
        for data in content.AWARDS:
            fields = {k: v for k, v in data.items() if k != "key"}
            if Award.objects.filter(
                title=fields["title"], nomination=fields["nomination"]
            ).exists():
                self.report.count("награды", created=False)
                continue
            award = Award(
                **fields,
                image=self.image(
                    f"award-{data['key']}",
                    f"Премия «{data['title']}» — изображение",
                    "medal",
                    f"награда «{data['title']}»",
                ),
            )
            award.live = False  # published below, through a revision
            award.save()
            award.save_revision().publish()
            self.report.count("награды", created=True)

    # --- page tree -----------------------------------------------------------------------

    def untouched_welcome_page(self, root: Page) -> Page | None:
        """Wagtail's "Welcome" page if nobody has edited it, moved it or added pages under it."""
        return (
            root.get_children()
            .filter(
                content_type=ContentType.objects.get_for_model(Page),
                slug="home",
                title=WAGTAIL_WELCOME_TITLE,
                numchild=0,
                latest_revision__isnull=True,
            )
            .first()
        )

    def ensure_home_page(self) -> tuple[HomePage, bool]:
        """The programme's HomePage, in place of Wagtail's default welcome page."""
        home = HomePage.objects.first()
        if home is not None:
            self.report.count("страницы", created=False)
            return home, False

        root = Page.get_first_root_node()
        welcome = self.untouched_welcome_page(root)
        if welcome is not None:
            # Site.root_page cascades on delete: park the sites on the root so that deleting
            # the page keeps them (ensure_site points the default one at the new home).
            Site.objects.filter(root_page=welcome).update(root_page=root)
            welcome.delete()
            root = Page.get_first_root_node()  # fresh numchild for treebeard
        else:
            kept = list(root.get_children().values_list("title", flat=True))
            if kept:
                self.report.notes.append(
                    "Оставлены без изменений страницы верхнего уровня: " + ", ".join(kept)
                )

        slug = content.HOME["slug"]
        if root.get_children().filter(slug=slug).exists():
            slug = content.HOME["fallback_slug"]
        home = HomePage(
            title=content.HOME["title"],
            slug=slug,
            lead=content.HOME["lead"],
            search_description=content.HOME["lead"],
            hero_image=self.image(
                "home-hero",
                f"{content.SITE_NAME} — главное изображение",
                "factory",
                "главное изображение программы",
            ),
        )
        self.publish_child(root, home)
        return home, True

    def ensure_site(self, home: HomePage, home_created: bool) -> Site:
        """The default Site, rooted at the home page; its name is set only if blank."""
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name=content.SITE_NAME,
            )
            self.report.count("сайт", created=True)
            return site

        changed = False
        # Only a home page created in this run takes over the site: if the home page already
        # existed, whatever the site points at now is an editor's choice.
        if home_created and site.root_page_id != home.pk:
            site.root_page = home
            changed = True
        if not site.site_name:
            site.site_name = content.SITE_NAME
            changed = True
        if changed:
            site.save()
            self.report.count_update("сайт")
        else:
            self.report.count("сайт", created=False)
        return site

    def ensure_section(self, home: HomePage, model: type[Page], data: dict) -> Page | None:
        """A section page under home: found by type first (editors may change its slug)."""
        existing = model.objects.child_of(home).first()
        if existing is not None:
            self.report.count("страницы", created=False)
            return existing
        existing = self.existing_child(home, data["slug"])
        if existing is not None:
            self.report.notes.append(
                f"Адрес «{data['slug']}» занят другой страницей; раздел «{data['title']}» пропущен."
            )
            return None
        return self.publish_child(home, model(**data))

    def ensure_enterprises(self, index: EnterpriseIndexPage) -> None:
        """Every enterprise named in the sources, with logo, cover and a two-picture gallery."""
        for data in content.ENTERPRISES:
            if self.existing_child(index, data["slug"]) is not None:
                continue
            slug, title = data["slug"], data["title"]
            page = EnterprisePage(
                title=title,
                slug=slug,
                short_description=data["short_description"],
                search_description=data["short_description"],
                body=data["body"],
                kind=data["kind"],
                district=self.districts.get(data["district"]),
                joined_year=data["joined_year"],
                is_technopolis_resident=data.get("is_technopolis_resident", False),
                min_age=data["min_age"],
                id_document_required=data["id_document_required"],
                visitor_notes=data["visitor_notes"],
                logo=self.image(
                    f"{slug}-logo", f"{title} — логотип", "emblem", f"логотип: {title}"
                ),
                cover_image=self.image(
                    f"{slug}-cover", f"{title} — обложка", "factory", f"обложка: {title}"
                ),
            )
            page.industries.set(self.pick(self.industries, data["industries"]))
            page.formats.set(self.pick(self.formats, data["formats"]))
            page.gallery_images = [
                EnterpriseGalleryImage(
                    image=self.image(
                        f"{slug}-gallery-{number}",
                        f"{title} — фото {number}",
                        "pattern",
                        f"{caption.lower()}, {title}",
                    ),
                    caption=caption,
                )
                for number, caption in enumerate(data["gallery"], start=1)
            ]
            self.publish_child(index, page)

    def ensure_news(self, index: NewsIndexPage) -> None:
        """The news items, dated and first published on their real dates."""
        enterprises = self.enterprises()
        for number, data in enumerate(content.NEWS):
            if self.existing_child(index, data["slug"]) is not None:
                continue
            page = NewsPage(
                title=data["title"],
                slug=data["slug"],
                date=data["date"],
                lead=data["lead"],
                search_description=data["lead"],
                body=data["body"],
                source_name=data["source_name"],
                source_url=data["source_url"],
                hero_image=self.image(
                    f"news-{data['slug']}",
                    f"{data['title']} — иллюстрация",
                    # Alternate two styles so neighbouring cards in a feed look different.
                    "stripes" if number % 2 else "factory",
                    "иллюстрация к новости",
                ),
                # Kept by publish() because it is already set: the feed shows the real dates.
                first_published_at=datetime.combine(
                    data["date"], NEWS_PUBLISHED_AT, timezone.get_default_timezone()
                ),
            )
            page.related_enterprises.set(self.pick(enterprises, data["enterprises"]))
            page.industries.set(self.pick(self.industries, data["industries"]))
            page.tags.add(*data["tags"])
            self.publish_child(index, page)

    def ensure_video_series(self, index: VideoIndexPage) -> None:
        """The working-dynasties series with its episodes."""
        data = content.VIDEO_SERIES
        if self.existing_child(index, data["slug"]) is not None:
            return
        enterprises = self.enterprises()
        page = VideoSeriesPage(
            title=data["title"],
            slug=data["slug"],
            description=data["description"],
            search_description=data["description"],
            platform=data["platform"],
            platform_url=data["platform_url"],
            partner=data["partner"],
            cover_image=self.image(
                f"video-{data['slug']}",
                f"{data['title']} — обложка",
                "stripes",
                f"обложка видеосериала «{data['title']}»",
            ),
        )
        episodes = []
        for episode_data in data["episodes"]:
            fields = {k: v for k, v in episode_data.items() if k != "enterprises"}
            episode = VideoEpisode(**fields)
            episode.enterprises.set(self.pick(enterprises, episode_data["enterprises"]))
            episodes.append(episode)
        page.episodes = episodes
        self.publish_child(index, page)

    def ensure_programme_settings(self, site: Site) -> None:
        """The historical totals, filled in only when editors have entered none."""
        settings, created = ProgrammeSettings.objects.get_or_create(site=site)
        is_blank = all(getattr(settings, name) in (None, "") for name in content.PROGRAMME_TOTALS)
        if is_blank:
            for name, value in content.PROGRAMME_TOTALS.items():
                setattr(settings, name, value)
            settings.save()
        if is_blank and not created:
            self.report.count_update("итоги программы")
        else:
            self.report.count("итоги программы", created=created)
