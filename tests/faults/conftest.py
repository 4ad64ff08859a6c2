"""Fault tests: ``acs serve`` subprocesses on this run's database, the demo data loaded.

Seeded and bounded: ``ACS_FAULT_CHALLENGES`` cardholders per test (12 by default, a few
seconds), ``ACS_FAULT_KILLS`` SIGKILLs (1), ``ACS_FAULT_SEED`` (12). For a longer run:
``ACS_FAULT_CHALLENGES=200 ACS_FAULT_KILLS=3 python -m pytest -q tests/faults``; the figures
of docs/reliability.md come from ``python -m benchmarks.faults``.
"""

from __future__ import annotations

import os

import pytest

CHALLENGES = int(os.environ.get("ACS_FAULT_CHALLENGES", "12"))
KILLS = int(os.environ.get("ACS_FAULT_KILLS", "1"))
SEED = int(os.environ.get("ACS_FAULT_SEED", "12"))


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every fault test runs with the demo customers and cards."""
