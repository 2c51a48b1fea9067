from django.apps import AppConfig
from django.core import checks


class GraphqlSchemaConfig(AppConfig):
    name = "graphql_schema"
    verbose_name = "GraphQL API"

    def ready(self):
        checks.register(check_allowed_queries)
        checks.register(check_cached_answer_middleware)


def check_allowed_queries(app_configs=None, **kwargs):
    """A broken allow-list file is found at deploy time, not by the first client."""
    from django.core.exceptions import ImproperlyConfigured

    from graphql_schema.persisted import allow_list

    try:
        allow_list()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="graphql_schema.E001")]
    return []


CACHED_ANSWER_MIDDLEWARE = "graphql_schema.middleware.CachedAnswerMiddleware"


def check_cached_answer_middleware(app_configs=None, **kwargs):
    """Without its middleware the response cache stores nothing: say so at deploy time."""
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    if CACHED_ANSWER_MIDDLEWARE not in middleware:
        return [
            checks.Error(
                f"{CACHED_ANSWER_MIDDLEWARE} is not in MIDDLEWARE: GraphQL GET answers "
                "are never cached.",
                id="graphql_schema.E002",
            )
        ]
    security = "django.middleware.security.SecurityMiddleware"
    if security in middleware and middleware.index(security) > middleware.index(
        CACHED_ANSWER_MIDDLEWARE
    ):
        return [
            checks.Error(
                f"{CACHED_ANSWER_MIDDLEWARE} must come after {security}: cached answers "
                "would skip the HTTPS redirect.",
                id="graphql_schema.E003",
            )
        ]
    return []
