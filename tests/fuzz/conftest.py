"""Fuzz fixtures: the demo data, and a fake DS for the challenge tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every fuzz test runs with the demo customers and cards."""
