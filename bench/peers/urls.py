"""Benchmark-only URLs: ours, and each peer on its own path.

- ``/api/v2/``: Wagtail's REST API v2 (pages endpoint), as it ships;
- ``/api/v3/``: Wagtail's API v3 (django-ninja), as it ships;
- ``/grapple/graphql/``: wagtail-grapple's schema through graphene-django's view, with no
  middleware of ours (our depth and cost limits are not grapple's).
"""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from grapple.schema import schema as grapple_schema
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as api_v3

from cms.urls import urlpatterns as cms_urlpatterns

api_v2 = WagtailAPIRouter("wagtailapi")
api_v2.register_endpoint("pages", PagesAPIViewSet)

grapple_view = csrf_exempt(GraphQLView.as_view(schema=grapple_schema, middleware=[]))

# Before the project's URLs: they end with Wagtail's catch-all page route.
urlpatterns = [
    path("api/v2/", api_v2.urls),
    path("api/v3/", api_v3.urls),
    path("grapple/graphql/", grapple_view),
    *cms_urlpatterns,
]
