"""Shared fixtures: the AReq vectors and the location of the reference field tables."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def shared_dir() -> Path:
    """``$ACS_SHARED_DIR`` or the ``shared`` directory beside the repository."""
    default = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(os.environ.get("ACS_SHARED_DIR", default))


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
