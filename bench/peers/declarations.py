"""What each peer is told about our models, as a Wagtail project using it would say it.

API v2 and API v3 read ``api_fields``; grapple reads ``graphql_fields``. Both are set on
the model classes in this process when ``declare()`` runs (from ``PeersConfig.ready``),
never in ``pages/models.py``. Where a peer needs a model attribute that our models do not
have (the upcoming sessions of an enterprise, a session's seats left as a property), a
``bench_…`` property is added here, written as such a project would write it: with the
``select_related`` and the seat annotation that a careful developer would add, so the
peers are not made slower than they need to be.
"""

import graphene
from grapple.helpers import register_query_field
from grapple.models import (
    GraphQLCollection,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLImage,
    GraphQLInt,
    GraphQLString,
    GraphQLTag,
)
from rest_framework import serializers
from wagtail.api import APIField
from wagtail.api.v2.serializers import TagsField
from wagtail.images.api.fields import ImageRenditionField

from booking.models import TourSession
from catalogue.models import Award, EventFormat, Industry
from graphql_schema.core.images import IMAGE_SIZES
from pages.models import EnterprisePage, NewsPage
from pages.visibility import published

# The rendition our cards ask for as rendition(size: CARD); every peer renders this spec,
# so all of them read the same stored renditions.
CARD_SPEC = IMAGE_SIZES["CARD"][0]
# How many upcoming sessions an enterprise page shows (our API's cap, kept by every peer).
UPCOMING_SESSIONS = 20


# --- What a project adds to its models for the peers ------------------------------------


def _upcoming_sessions(page):
    return (
        TourSession.objects.upcoming()
        .filter(enterprise=page)
        .with_seats_taken()
        .select_related("event_format")
        .order_by("starts_at", "pk")[:UPCOMING_SESSIONS]
    )


def _published_awards(page):
    return page.awards.published()


def _related_enterprises(page):
    return published(page.related_enterprises.all())


# --- API v2 and v3: api_fields with DRF serializers -------------------------------------


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["name", "slug"]


class PageLinkSerializer(serializers.Serializer):
    """A related page as our cards show it: its name and its path on the site."""

    title = serializers.CharField()
    url = serializers.ReadOnlyField()


class AwardSerializer(serializers.Serializer):
    title = serializers.CharField()
    nomination = serializers.CharField()
    year = serializers.SerializerMethodField()

    def get_year(self, award) -> int:
        return award.date.year


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    seats_left = serializers.SerializerMethodField()
    format = serializers.SerializerMethodField()

    def get_seats_left(self, session) -> int:
        return session.seats_left()

    def get_format(self, session) -> str:
        return session.event_format.name


NEWS_API_FIELDS = [
    APIField("date"),
    APIField("lead"),
    APIField("hero_image", serializer=ImageRenditionField(CARD_SPEC)),
    APIField("industries", serializer=IndustrySerializer(many=True, read_only=True)),
    APIField("tags", serializer=TagsField()),
    APIField(
        "related_enterprises",
        serializer=PageLinkSerializer(many=True, read_only=True, source="bench_enterprises"),
    ),
]

ENTERPRISE_API_FIELDS = [
    APIField("kind"),
    APIField("short_description"),
    APIField("address"),
    APIField("logo", serializer=ImageRenditionField(CARD_SPEC)),
    APIField("industries", serializer=IndustrySerializer(many=True, read_only=True)),
    APIField(
        "awards", serializer=AwardSerializer(many=True, read_only=True, source="bench_awards")
    ),
    APIField(
        "upcoming_sessions",
        serializer=SessionSerializer(many=True, read_only=True, source="bench_upcoming_sessions"),
    ),
]


# --- grapple: graphql_fields -------------------------------------------------------------


def news_graphql_fields():
    return [
        GraphQLString("date"),
        GraphQLString("lead"),
        GraphQLImage("hero_image"),
        GraphQLCollection(GraphQLForeignKey, "industries", "catalogue.Industry"),
        GraphQLTag("tags"),
        GraphQLCollection(
            GraphQLForeignKey,
            "related_enterprises",
            "pages.EnterprisePage",
            source="bench_enterprises",
        ),
    ]


def enterprise_graphql_fields():
    return [
        GraphQLString("kind"),
        GraphQLString("short_description"),
        GraphQLString("address"),
        GraphQLImage("logo"),
        GraphQLCollection(GraphQLForeignKey, "industries", "catalogue.Industry"),
        GraphQLCollection(
            GraphQLForeignKey, "published_awards", "catalogue.Award", source="bench_awards"
        ),
        GraphQLCollection(
            GraphQLForeignKey,
            "upcoming_sessions",
            "booking.TourSession",
            source="bench_upcoming_sessions",
        ),
    ]


def declare() -> None:
    """Give our models the peers' declarations (this process only)."""
    EnterprisePage.bench_upcoming_sessions = property(_upcoming_sessions)
    EnterprisePage.bench_awards = property(_published_awards)
    NewsPage.bench_enterprises = property(_related_enterprises)
    TourSession.bench_seats_left = property(lambda session: session.seats_left())
    Award.bench_year = property(lambda award: award.date.year)

    NewsPage.api_fields = NEWS_API_FIELDS
    EnterprisePage.api_fields = ENTERPRISE_API_FIELDS

    NewsPage.graphql_fields = news_graphql_fields()
    # newsPage / newsPages at the root: a list of NewsPage, which can be ordered by date
    # and searched (grapple's pages list is of Page and orders by Page's fields only).
    register_query_field("news_page", "news_pages")(NewsPage)
    EnterprisePage.graphql_fields = enterprise_graphql_fields()
    Industry.graphql_fields = [GraphQLString("name"), GraphQLString("slug")]
    EventFormat.graphql_fields = [GraphQLString("name")]
    Award.graphql_fields = [
        GraphQLString("title"),
        GraphQLString("nomination"),
        GraphQLInt("year", source="bench_year"),
    ]
    TourSession.graphql_fields = [
        GraphQLField("starts_at", graphene.DateTime),
        GraphQLField("ends_at", graphene.DateTime),
        GraphQLInt("capacity"),
        GraphQLInt("seats_left", source="bench_seats_left"),
        GraphQLForeignKey("event_format", "catalogue.EventFormat"),
    ]
