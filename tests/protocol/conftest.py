"""Shared fixtures: the AReq vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def load_vector(name: str) -> dict:
    """A vector by relative path under ``tests/vectors``."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def browser_areq() -> dict:
    """A valid 2.2.0 browser payment AReq."""
    return load_vector("areq/2.2.0-browser-pa.json")


@pytest.fixture
def app_areq() -> dict:
    """A valid 2.2.0 app payment AReq."""
    return load_vector("areq/2.2.0-app-pa.json")
