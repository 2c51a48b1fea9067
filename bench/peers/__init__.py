"""The peers we compare ourselves with, declared on our models for the benchmark only.

``bench/compare.py`` runs with ``bench.peers.settings``: the project's settings plus
Wagtail's REST API v2, its API v3 (django-ninja) and wagtail-grapple, each declared on our
page models the way a Wagtail project using it would declare them (``api_fields``,
``graphql_fields``). The declarations are made when this app is ready, in the benchmark's
processes only: ``pages/models.py`` and the rest of the product do not change.
"""
