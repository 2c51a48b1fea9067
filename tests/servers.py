"""What tests that need a real server share: skip locally, fail in CI, a free port."""

import pytest

from scripts.with_postgres import free_port, is_ci

__all__ = ["free_port", "is_ci", "skip_or_fail"]


def skip_or_fail(reason: str):
    """Locally a missing server or browser skips the tests; with CI=true it fails them."""
    if is_ci():
        pytest.fail(f"{reason}; CI=true, so this is an error (.ci/run installs it)")
    pytest.skip(reason)
