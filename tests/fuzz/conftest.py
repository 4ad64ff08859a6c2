"""Fuzz fixtures: the demo data, and a fake DS for the challenge tests."""

from __future__ import annotations

import pytest

from tests.challenge.fake_ds import FakeDS


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every fuzz test runs with the demo customers and cards."""


@pytest.fixture
async def fake_ds():
    ds = FakeDS()
    await ds.start()
    yield ds
    await ds.close()
