"""Stored GraphQL answers served before the rest of the middleware stack."""

from django.urls import get_script_prefix, reverse
from graphene_django.settings import graphene_settings

from graphql_schema import caching
from graphql_schema.views import PublicGraphQLView, add_cors_headers


class CachedAnswerMiddleware:
    """Answers a GET of ``/graphql/`` from the response cache, or stores the answer the
    view computed once every inner layer has added its headers.

    Goes after ``SecurityMiddleware`` (the HTTPS redirect, its headers on every response)
    and before the session, CSRF and authentication layers, which an anonymous GET of a
    stored answer does not need: a hit is one cache round trip and no other work. The
    host is still validated (the cache key is built from it) and CORS still answered.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None

    def __call__(self, request):
        if request.method == "GET" and request.path_info == self.path:
            if not PublicGraphQLView.can_display_graphiql(request, {}):
                schema = graphene_settings.SCHEMA.graphql_schema
                response = caching.answer_from_cache(request, schema)
                if response is not None:
                    add_cors_headers(request, response)
                    return response
        response = self.get_response(request)
        caching.store_pending(request, response)
        return response

    @property
    def path(self) -> str:
        """The endpoint's path within the site (``path_info``: without the script prefix
        of a deployment under a sub-path), found once."""
        if self._path is None:
            self._path = "/" + reverse("graphql").removeprefix(get_script_prefix())
        return self._path
