"""Loading what a list needs in a fixed number of queries, whatever its length.

Each ``*_queryset(tree)`` takes the selection tree of one item and returns the visible
objects with exactly the relations that tree asks for prefetched. Relations that hide
unpublished objects are prefetched into a ``to_attr`` list, and their resolvers fall
back to a filtered query, so nothing hidden leaks when a prefetch is missing.
"""

from django.db.models import Prefetch

from booking.models import TourSession
from catalogue.models import Award
from graphql_schema.core.images import image_prefetch
from graphql_schema.core.selection import SelectionTree, merge_selection
from pages.models import (
    EnterpriseGalleryImage,
    EnterprisePage,
    NewsPage,
    VideoEpisode,
    VideoSeriesPage,
)
from pages.visibility import published

# Sessions an enterprise lists in `upcomingSessions`; all of them: `sessions(enterprise:)`.
MAX_UPCOMING_SESSIONS = 20


def prefetched_or_query(obj, attr: str, query):
    """The list prefetched into ``attr``, or ``query()`` when it was not prefetched."""
    cached = getattr(obj, attr, None)
    return cached if cached is not None else list(query())


def _images(tree: SelectionTree, fields: dict[str, str]) -> list:
    """Image relations asked for: {graphql field name: model field name}."""
    return [image_prefetch(model_field) for name, model_field in fields.items() if name in tree]


def award_queryset(tree: SelectionTree):
    """Published awards with what ``tree`` selects."""
    queryset = Award.objects.published()
    lookups = _images(tree, {"image": "image"})
    if "enterprises" in tree:
        lookups.append(
            Prefetch(
                "enterprises",
                queryset=enterprise_queryset(tree["enterprises"]),
                to_attr="visible_enterprises",
            )
        )
    return queryset.prefetch_related(*lookups)


def _fold_session_enterprise(tree: SelectionTree) -> SelectionTree:
    """``upcomingSessions { enterprise { … } }`` is the enterprise itself (Django sets each
    session's enterprise to the page that prefetched it): what it selects there is
    loaded with the page's own selection, once for the list."""
    sessions = tree.get("upcomingSessions")
    if not sessions or "enterprise" not in sessions:
        return tree
    inner = sessions["enterprise"]
    folded = {**tree, "upcomingSessions": {k: v for k, v in sessions.items() if k != "enterprise"}}
    merge_selection(folded, inner)
    return _fold_session_enterprise(folded)  # the inner selection may nest the same again


def enterprise_queryset(tree: SelectionTree):
    """Published enterprise pages with what ``tree`` selects."""
    tree = _fold_session_enterprise(tree)
    queryset = published(EnterprisePage.objects.all())
    if "district" in tree:
        queryset = queryset.select_related("district")
    lookups = _images(tree, {"logo": "logo", "coverImage": "cover_image"})
    for field, relation in (("industries", "industries"), ("formats", "formats")):
        if field in tree:
            lookups.append(relation)
    if "gallery" in tree:
        gallery = EnterpriseGalleryImage.objects.order_by("sort_order")
        if "image" in tree["gallery"]:
            gallery = gallery.prefetch_related(image_prefetch("image"))
        lookups.append(Prefetch("gallery_images", queryset=gallery, to_attr="gallery"))
    if "awards" in tree:
        lookups.append(
            Prefetch("awards", queryset=award_queryset(tree["awards"]), to_attr="published_awards")
        )
    if "upcomingSessions" in tree:
        upcoming = _session_relations(
            TourSession.objects.upcoming().with_seats_taken(), tree["upcomingSessions"]
        ).order_by("starts_at", "pk")[:MAX_UPCOMING_SESSIONS]  # per enterprise (a window)
        lookups.append(Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
    return queryset.prefetch_related(*lookups)


def _session_relations(queryset, tree: SelectionTree):
    if "enterprise" in tree:
        # The enterprise's own relations load once for the whole list, never per session.
        queryset = queryset.prefetch_related(
            Prefetch("enterprise", queryset=enterprise_queryset(tree["enterprise"]))
        )
    if "format" in tree or "title" in tree:  # an untitled session is named by its format
        queryset = queryset.select_related("event_format")
    if "season" in tree:
        queryset = queryset.select_related("season")
    return queryset


def session_queryset(tree: SelectionTree):
    """Sessions of published enterprises, with seats counted and what ``tree`` selects.

    The enterprise is always loaded: titles and age limits fall back to it.
    """
    # Titles and age limits fall back to the enterprise: always loaded.
    tree = {**tree, "enterprise": tree.get("enterprise", {})}
    return _session_relations(TourSession.objects.visible().with_seats_taken(), tree)


def news_queryset(tree: SelectionTree):
    """Published news items with what ``tree`` selects."""
    queryset = published(NewsPage.objects.all())
    lookups = _images(tree, {"heroImage": "hero_image"})
    if "industries" in tree:
        lookups.append("industries")
    if "tags" in tree:
        lookups.append("tags")
    if "relatedEnterprises" in tree:
        lookups.append(
            Prefetch(
                "related_enterprises",
                queryset=enterprise_queryset(tree["relatedEnterprises"]),
                to_attr="visible_related_enterprises",
            )
        )
    return queryset.prefetch_related(*lookups)


def video_series_queryset(tree: SelectionTree):
    """Published video series with what ``tree`` selects."""
    queryset = published(VideoSeriesPage.objects.all())
    lookups = _images(tree, {"coverImage": "cover_image"})
    if "episodes" in tree:
        episodes = VideoEpisode.objects.order_by("sort_order")
        if "enterprises" in tree["episodes"]:
            episodes = episodes.prefetch_related(
                Prefetch(
                    "enterprises",
                    queryset=enterprise_queryset(tree["episodes"]["enterprises"]),
                    to_attr="visible_enterprises",
                )
            )
        lookups.append(Prefetch("episodes", queryset=episodes, to_attr="ordered_episodes"))
    return queryset.prefetch_related(*lookups)
