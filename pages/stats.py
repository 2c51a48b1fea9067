"""The programme's figures: what editors state, beside what the CMS counts live."""

from dataclasses import dataclass

from catalogue.models import Award
from pages.models import EnterprisePage, NewsPage, ProgrammeSettings, VideoSeriesPage
from pages.visibility import published


@dataclass(frozen=True)
class LiveCounts:
    enterprises: int
    news: int
    video_series: int
    awards: int


def live_counts() -> LiveCounts:
    """Counts of published content."""
    return LiveCounts(
        enterprises=published(EnterprisePage.objects.all()).count(),
        news=published(NewsPage.objects.all()).count(),
        video_series=published(VideoSeriesPage.objects.all()).count(),
        awards=Award.objects.published().count(),
    )


def stated_totals(site) -> ProgrammeSettings:
    """The totals editors entered for ``site``; empty ones when none were (no write)."""
    if site is None:
        return ProgrammeSettings()
    return ProgrammeSettings.objects.filter(site=site).first() or ProgrammeSettings(site=site)
