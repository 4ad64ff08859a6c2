"""Fixtures for the merchant simulator: its three apps on port 0, in front of the real ACS.

``merchant`` starts DS, 3DS Server and shop (``aiohttp.test_utils.TestServer``) routed to the
ACS of the ``client`` fixture with the demo cards loaded. ``browser`` is a headless Chromium
through Playwright: skipped when either is missing locally, a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from merchant_simulator.ds import DsConfig, create_ds_app
from merchant_simulator.run import dev_ranges
from merchant_simulator.shop import ShopConfig, create_shop_app
from merchant_simulator.threeds_server import ThreeDSServerConfig, create_threeds_server_app
from merchant_simulator.threeds_server.keys import TRANSACTIONS
from merchant_simulator.threeds_server.state import Transactions
from tests.prereq import missing_prerequisite

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class Merchant:
    acs_url: str
    ds_url: str
    threeds_server_url: str
    shop_url: str
    transactions: Transactions  # the 3DS Server's store, to read the messages it exchanged


async def serve(app: web.Application, servers: list[TestServer]) -> str:
    server = TestServer(app, port=0)
    await server.start_server()
    servers.append(server)
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def acs_url(client, demo_data) -> str:
    """Base URL of the real ACS app (real database, demo cards loaded)."""
    return str(client.server.make_url("/")).rstrip("/")


@pytest.fixture
async def merchant(acs_url: str, clock) -> AsyncIterator[Merchant]:
    """DS, 3DS Server and shop on port 0; the 3DS Server dates its AReqs with the ACS's clock."""
    servers: list[TestServer] = []
    ds_url = await serve(create_ds_app(DsConfig(ranges=dev_ranges(acs_url))), servers)
    threeds = ThreeDSServerConfig(ds_url=ds_url, method_timeout_s=2.0)
    threeds_app = create_threeds_server_app(threeds, now=clock.now)
    threeds_url = await serve(threeds_app, servers)
    shop_url = await serve(create_shop_app(ShopConfig(threeds_server_url=threeds_url)), servers)
    yield Merchant(acs_url, ds_url, threeds_url, shop_url, threeds_app[TRANSACTIONS])
    for server in reversed(servers):
        await server.close()


def _missing_browser() -> str | None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (run .ci/install-browser.sh)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (run .ci/install-browser.sh)"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Headless Chromium (the Debian package) driven by Playwright; never downloads a browser."""
    missing = _missing_browser()
    if missing:
        missing_prerequisite(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder screenshots go to (``test-artifacts/``, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
