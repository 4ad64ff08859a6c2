"""Start the merchant side on one machine: DS, 3DS Server and shop, each its own aiohttp app.

``start_simulators(acs_base_url)`` is what ``acs demo`` and the tests call;
``python -m merchant_simulator.run --acs http://127.0.0.1:8000`` runs them until Ctrl-C, with
the bank's identity provider (``--idp-port``, 8104) whose URL the ACS's ``[identity_provider]``
names.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from merchant_simulator.ds import AcsRange, DsConfig, create_ds_app
from merchant_simulator.idp import DEFAULT_IDP_PORT, start_idp
from merchant_simulator.shop import ShopConfig, create_shop_app
from merchant_simulator.threeds_server import ThreeDSServerConfig, create_threeds_server_app

__all__ = ["DEFAULT_PORTS", "Simulators", "dev_ranges", "main", "start_simulators"]

DEFAULT_PORTS = (8100, 8101, 8102)  # shop, DS, 3DS Server


@dataclass(frozen=True)
class Simulators:
    """The running simulators' base URLs, and ``close()`` to stop them all."""

    shop_url: str
    ds_url: str
    threeds_server_url: str
    close: Callable[[], Awaitable[None]]


def dev_ranges(acs_base_url: str) -> tuple[AcsRange, ...]:
    """The ACS's dev card ranges (Visa-style and Mastercard-style) routed to ``acs_base_url``."""
    base = acs_base_url.rstrip("/")
    areq, method = f"{base}/3ds/areq", f"{base}/3ds/method"
    return (
        AcsRange(4970100000000000, 4970109999999999, areq, method),
        AcsRange(5132850000000000, 5132859999999999, areq, method),
    )


async def start_simulators(
    acs_base_url: str,
    *,
    host: str = "127.0.0.1",
    ports: tuple[int, int, int] = DEFAULT_PORTS,
    ds_ssl: ssl.SSLContext | None = None,
    ds_client_ssl: ssl.SSLContext | None = None,
    threeds_config: ThreeDSServerConfig | None = None,
    threeds_now: Callable[[], datetime] | None = None,
) -> Simulators:
    """Start the DS, then the 3DS Server, then the shop (each needs the one before).

    ``ports`` is (shop, DS, 3DS Server); 0 picks a free port. ``ds_ssl`` serves the DS over
    (mutual) TLS; ``ds_client_ssl`` is what the DS presents to the ACS. ``threeds_config`` is
    used with its ``ds_url`` replaced by the started DS. ``threeds_now`` dates the 3DS
    Server's AReqs (tests pass the ACS's frozen clock).
    """
    shop_port, ds_port, threeds_port = ports
    runners: list[web.AppRunner] = []
    ds_config = DsConfig(ranges=dev_ranges(acs_base_url), client_ssl=ds_client_ssl)
    ds_url = await _serve(create_ds_app(ds_config), host, ds_port, runners, ssl_context=ds_ssl)
    threeds = _with_ds(threeds_config, ds_url)
    threeds_app = (
        create_threeds_server_app(threeds)
        if threeds_now is None
        else create_threeds_server_app(threeds, now=threeds_now)
    )
    threeds_url = await _serve(threeds_app, host, threeds_port, runners)
    shop = create_shop_app(ShopConfig(threeds_server_url=threeds_url))
    shop_url = await _serve(shop, host, shop_port, runners)

    async def close() -> None:
        for runner in reversed(runners):
            await runner.cleanup()

    return Simulators(shop_url=shop_url, ds_url=ds_url, threeds_server_url=threeds_url, close=close)


def _with_ds(config: ThreeDSServerConfig | None, ds_url: str) -> ThreeDSServerConfig:
    if config is None:
        return ThreeDSServerConfig(ds_url=ds_url)
    return dataclasses.replace(config, ds_url=ds_url)


async def _serve(
    app: web.Application,
    host: str,
    port: int,
    runners: list[web.AppRunner],
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> str:
    """Start ``app``; return its base URL (with the real port when ``port`` is 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    runners.append(runner)
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    bound_port = runner.addresses[0][1]
    scheme = "https" if ssl_context else "http"
    return f"{scheme}://{host}:{bound_port}"


async def _run_forever(acs: str, host: str, ports: tuple[int, int, int], idp_port: int) -> None:
    idp = await start_idp(host=host, port=idp_port)
    simulators = await start_simulators(acs, host=host, ports=ports)
    print(f"shop         {simulators.shop_url}/")
    print(f"3DS Server   {simulators.threeds_server_url}/")
    print(f"DS           {simulators.ds_url}/ranges")
    print(f"IdP          {idp.url}   (issuer; keys at {idp.jwks_url})")
    print(f"ACS          {acs}")
    try:
        await asyncio.Event().wait()
    finally:
        await simulators.close()
        await idp.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="merchant shop, 3DS Server and DS simulators")
    parser.add_argument("--acs", default="http://127.0.0.1:8000", help="ACS base URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ports", nargs=3, type=int, default=list(DEFAULT_PORTS),
                        metavar=("SHOP", "DS", "3DS"), help="0 picks a free port")  # fmt: skip
    parser.add_argument("--idp-port", type=int, default=DEFAULT_IDP_PORT,
                        help="the bank's identity provider (0 picks a free port)")  # fmt: skip
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_forever(args.acs, args.host, tuple(args.ports), args.idp_port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
