"""Missing prerequisites: a skip on a developer's machine, a failure in CI (CI=true)."""

from __future__ import annotations

import os

import pytest


def missing_prerequisite(reason: str) -> None:
    """Skip the test locally; fail it in CI, where every prerequisite must be installed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"prerequisite missing in CI: {reason}")
    pytest.skip(reason)
