"""Bench-only URLs: the project's URLs plus Wagtail's REST API v2 at ``/api/v2/``.

The news card is exposed through API v2 the way a Wagtail project would do it with
``api_fields`` on ``NewsPage``. ``pages/models.py`` is not ours to change, so the same
``APIField`` list is attached to the endpoint instead (``get_body_fields``): API v2 sees
exactly what the model-level ``api_fields`` would give it, and nothing outside the
benchmark's process changes. Stock Wagtail behaviour otherwise: no prefetching added.
"""

from django.urls import path
from rest_framework import serializers
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.images.api.fields import ImageRenditionField

from catalogue.models import Industry
from cms.urls import urlpatterns as cms_urlpatterns
from graphql_schema.core.images import IMAGE_SIZES
from pages.models import NewsPage

# The GraphQL card asks for rendition(size: CARD); API v2 renders the same filter spec,
# so both read the same stored renditions.
CARD_SPEC = IMAGE_SIZES["CARD"][0]


class IndustryCardSerializer(serializers.ModelSerializer):
    """Industry name and slug, as the GraphQL card has them.

    Without it API v2 nests a snippet without an endpoint as ``{id, meta: {type}}`` only;
    ``api_fields`` on ``Industry`` would need a model change too.
    """

    class Meta:
        model = Industry
        fields = ["name", "slug"]


# What ``NewsPage.api_fields`` would say if the project published a REST API.
NEWS_CARD_API_FIELDS = [
    APIField("date"),
    APIField("lead"),
    APIField("hero_image", serializer=ImageRenditionField(CARD_SPEC)),
    APIField("industries", serializer=IndustryCardSerializer(many=True, read_only=True)),
    APIField("tags"),
    APIField("related_enterprises"),
]


class BenchPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, with the news card fields on ``NewsPage``."""

    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if issubclass(model, NewsPage):
            fields += cls._convert_api_fields(NEWS_CARD_API_FIELDS)
        return fields


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", BenchPagesAPIViewSet)

# Before the project's URLs: they end with Wagtail's catch-all page route.
urlpatterns = [path("api/v2/", api_router.urls), *cms_urlpatterns]
