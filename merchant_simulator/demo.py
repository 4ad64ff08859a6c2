"""The merchant side of ``acs demo``: DS, 3DS Server, shop and the Banxo phone page.

``start_merchant_demo(acs_url, idp_url=…)`` starts them in front of a running ACS and the bank's
identity provider (``merchant_simulator.idp.start_idp``, started first: the ACS must know its
URL); ``enrol`` logs a phone page in at the identity provider and activates its Sécur'Pass
through the phone library (self-care, SMS read from the ACS's dev inbox), exactly as a customer
would on the page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web

from merchant_simulator.phone_web import SLOTS, PhoneSlot, PhoneWebConfig, create_phone_app
from merchant_simulator.run import DEFAULT_PORTS, Simulators, start_simulators
from merchant_simulator.threeds_server import ThreeDSServerConfig

__all__ = ["DEFAULT_PHONE_PORT", "MerchantDemo", "start_merchant_demo", "start_phone_web"]

DEFAULT_PHONE_PORT = 8103
SHUTDOWN_SECONDS = 1.0  # open event streams and long-polls must not hold Ctrl-C


@dataclass(frozen=True)
class MerchantDemo:
    """What runs besides the ACS: the simulators' URLs, the phone pages, ``close()``."""

    simulators: Simulators
    idp_url: str
    phone_url: str
    phone_app: web.Application
    close: Callable[[], Awaitable[None]]

    def phone(self, slot: int) -> PhoneSlot:
        return self.phone_app[SLOTS][slot]

    async def enrol(
        self,
        slot: int,
        login: tuple[str, str],
        mobile: str,
        code: str,
        *,
        biometrics: bool = True,
    ) -> None:
        """Log in with ``login`` (identifier, password), then activate Sécur'Pass on phone
        ``slot`` (self-care, SP-20), biometrics for payments."""
        chosen = {"payments": biometrics, "login": False}
        phone = self.phone(slot)
        await phone.login(*login)
        await phone.activate_selfcare(mobile, code, biometrics=chosen)


async def start_phone_web(
    config: PhoneWebConfig, *, host: str = "127.0.0.1", port: int = DEFAULT_PHONE_PORT
) -> tuple[str, web.Application, web.AppRunner]:
    """Serve the phone pages; returns the base URL, the app and its runner (to clean up)."""
    app = create_phone_app(config)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return f"http://{host}:{runner.addresses[0][1]}", app, runner


async def start_merchant_demo(
    acs_url: str,
    *,
    idp_url: str,
    data_dir: Path,
    host: str = "127.0.0.1",
    ports: tuple[int, int, int] = DEFAULT_PORTS,
    phone_port: int = DEFAULT_PHONE_PORT,
    threeds_config: ThreeDSServerConfig | None = None,
    clock: Callable[[], float] | None = None,
    now: Callable[[], datetime] | None = None,
) -> MerchantDemo:
    """Start DS, 3DS Server, shop (``ports`` = shop, DS, 3DS; 0 = free) and the phone pages.

    ``idp_url`` is the bank's identity provider the phones log in at; ``data_dir`` keeps the
    phones' keys; ``clock`` (seconds) signs the phones' calls and
    ``now`` dates the AReqs (tests pass the ACS's frozen clock to both).
    """
    simulators = await start_simulators(
        acs_url, host=host, ports=ports, threeds_config=threeds_config, threeds_now=now
    )
    try:
        config = PhoneWebConfig(acs_url=acs_url, data_dir=data_dir, idp_url=idp_url, clock=clock)
        phone_url, phone_app, runner = await start_phone_web(config, host=host, port=phone_port)
    except BaseException:
        await simulators.close()
        raise

    async def close() -> None:
        await runner.cleanup()
        await simulators.close()

    return MerchantDemo(simulators, idp_url, phone_url, phone_app, close)
