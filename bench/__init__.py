"""Benchmarks: the public GraphQL API side by side with Wagtail's own API on the same content.

Not tests: pytest never collects this folder (``testpaths = ["tests"]``) and nothing here
asserts on timing. See ``bench/README.md``.
"""
