"""The 3DS Server simulator app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from merchant_simulator.threeds_server import api, flow, home, results
from merchant_simulator.threeds_server.config import ThreeDSServerConfig
from merchant_simulator.threeds_server.keys import CONFIG, HTTP, NOW, TRANSACTIONS
from merchant_simulator.threeds_server.state import Transactions

__all__ = ["create_threeds_server_app"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_threeds_server_app(
    config: ThreeDSServerConfig, *, now: Callable[[], datetime] = _utc_now
) -> web.Application:
    """Build the 3DS Server: the merchant API, the browser pages, the RReq receiver."""
    app = web.Application()
    app[CONFIG], app[TRANSACTIONS], app[NOW] = config, Transactions(), now
    app.cleanup_ctx.append(_http_client)
    for module in (api, flow, home, results):
        app.add_routes(module.routes)
    return app


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    timeout = aiohttp.ClientTimeout(total=app[CONFIG].timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        app[HTTP] = session
        yield
