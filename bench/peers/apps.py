from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers"
    label = "bench_peers"

    def ready(self):
        # Our schema first: graphene-django keeps one registry of types per model, and
        # grapple registers its own types for our models when it is ready. Ours are
        # built (graphene builds a schema's types at once) before that can touch them.
        import graphql_schema.schema  # noqa: F401
        from bench.peers import declarations

        declarations.declare()
