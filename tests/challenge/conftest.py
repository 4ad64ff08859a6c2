"""Challenge fixtures: a fake DS on port 0, the app's client wired to it, AReq helpers."""

from __future__ import annotations

import pytest

from tests.phones import CODE, camille, make_phone  # noqa: F401  (CODE for the tests; fixtures)


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every challenge test runs with the demo customers and cards."""
