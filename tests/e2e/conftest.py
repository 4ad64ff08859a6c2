"""End to end in real Chromium: the ACS on a real port, the shop, DS, 3DS Server and phone pages.

``idp`` is the bank's identity provider simulator (port 0, dating its tokens with the frozen
``clock``). ``acs_server`` runs the real ACS app (test database, demo cards, frozen ``clock``)
on a port the browser can reach, with ``public_base_url`` set to that URL and the ``idp`` as its
identity provider. ``merchant`` starts the merchant side of ``acs demo`` in front of both (all
on port 0); ``camille`` logs phone page 1 in and enrols it as the demo does. ``browser`` and
``artifacts`` come from the simulator tests' fixtures.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from acs.demo import CAMILLE_LOGIN, add_reset_route, with_demo_risk
from acs.web import create_app
from merchant_simulator.demo import MerchantDemo, start_merchant_demo
from merchant_simulator.idp import RunningIdp, start_idp
from merchant_simulator.threeds_server import ThreeDSServerConfig
from tests.phones import CAMILLE, CAMILLE_MOBILE, CODE, signing_clock  # noqa: F401  (for the tests)
from tests.simulator.conftest import artifacts, browser  # noqa: F401  (shared fixtures)


@dataclass(frozen=True)
class AcsServer:
    url: str
    app: web.Application


@pytest.fixture
async def idp(clock) -> AsyncIterator[RunningIdp]:
    """The bank's identity provider on a free port, its tokens dated by the ACS's clock."""
    running = await start_idp(port=0, clock=signing_clock(clock))
    yield running
    await running.close()


@pytest.fixture
def demo_risk() -> bool:
    """The ACS runs with the demo's risk settings (no issuer TRA, as ``acs demo``); a module
    that shows the TRA exemption overrides this with False."""
    return True


@pytest.fixture
async def acs_server(
    settings, keyring, clock, demo_data, idp, demo_risk
) -> AsyncIterator[AcsServer]:
    """The real ACS on 127.0.0.1 (a socket bound first, so its URL is known to the settings),
    taking the ``idp``'s tokens, with the demo's risk settings unless ``demo_risk`` is False."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    provider = dataclasses.replace(
        settings.identity_provider, issuer=idp.url, jwks_url=idp.jwks_url, jwks_file=""
    )
    served = dataclasses.replace(settings, public_base_url=url, identity_provider=provider)
    if demo_risk:
        served = with_demo_risk(served)  # as acs demo runs it
    app = create_app(served, keys=keyring, clock=clock)
    add_reset_route(app)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    yield AcsServer(url, app)
    await runner.cleanup()


StartMerchant = Callable[..., Awaitable[MerchantDemo]]


@pytest.fixture
async def start_merchant(acs_server, idp, clock, tmp_path: Path) -> AsyncIterator[StartMerchant]:
    """Start the merchant side (``window_size`` = the 3DS Server's challengeWindowSize)."""
    started: list[MerchantDemo] = []

    async def _start(*, window_size: str = "03") -> MerchantDemo:
        config = ThreeDSServerConfig(
            ds_url="", method_timeout_s=2.0, challenge_window_size=window_size
        )
        demo = await start_merchant_demo(
            acs_server.url, idp_url=idp.url, data_dir=tmp_path / "phones", ports=(0, 0, 0),
            phone_port=0,
            threeds_config=config, clock=signing_clock(clock), now=clock.now,
        )  # fmt: skip
        started.append(demo)
        return demo

    yield _start
    for demo in started:
        await demo.close()


@pytest.fixture
async def merchant(start_merchant: StartMerchant) -> MerchantDemo:
    return await start_merchant()


@pytest.fixture
async def camille(merchant: MerchantDemo) -> MerchantDemo:
    """Phone page 1 logged in as Camille and enrolled (code 4826, biometrics for payments), as
    in the demo."""
    await merchant.enrol(1, CAMILLE_LOGIN, CAMILLE_MOBILE, CODE)
    return merchant


@pytest.fixture
async def context(browser):  # noqa: F811
    """A French browser window of 1280×900."""
    context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    yield context
    await context.close()


async def sms_inbox(acs_url: str, number: str, purpose: str) -> list[str]:
    """Texts sent to ``number`` (the ACS's dev SMS inbox), oldest first."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{acs_url}/dev/sms", params={"to": number}) as response,
    ):
        messages = (await response.json())["messages"]
    return [m["text"] for m in messages if m["purpose"] == purpose]
