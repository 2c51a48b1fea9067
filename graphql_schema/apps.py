from django.apps import AppConfig
from django.core import checks


class GraphqlSchemaConfig(AppConfig):
    name = "graphql_schema"
    verbose_name = "GraphQL API"

    def ready(self):
        checks.register(check_allowed_queries)


def check_allowed_queries(app_configs=None, **kwargs):
    """A broken allow-list file is found at deploy time, not by the first client."""
    from django.core.exceptions import ImproperlyConfigured

    from graphql_schema.persisted import allow_list

    try:
        allow_list()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="graphql_schema.E001")]
    return []
