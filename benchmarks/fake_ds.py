"""A fake Directory Server for the challenge benchmark: a real aiohttp app on a loopback port.

It answers every RReq with an RRes 01 (an Erro with 204) and timestamps each RReq's arrival with
``time.perf_counter()``, the clock the challenge driver uses in the same process.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

__all__ = ["FakeDS", "rres_for"]

HOST = "127.0.0.1"
ECHOED = ("threeDSServerTransID", "acsTransID", "dsTransID", "messageVersion", "sdkTransID")


def rres_for(rreq: dict[str, Any]) -> dict[str, Any]:
    """The RRes 01 ("RReq received") that echoes the RReq's ids and version."""
    return {k: rreq[k] for k in ECHOED if k in rreq} | {
        "messageType": "RRes",
        "resultsStatus": "01",
    }


class FakeDS:
    """``async with FakeDS() as ds``: ``ds.url`` takes RReqs; ``ds.arrivals[acsTransID]`` is the
    perf_counter time the first one for that transaction arrived; ``ds.rreqs`` keeps them all."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.rreqs: list[dict[str, Any]] = []
        self.erros: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/rreq"

    async def __aenter__(self) -> FakeDS:
        app = web.Application()
        app.router.add_post("/rreq", self._rreq)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _rreq(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        message = await request.json()
        if message.get("messageType") == "Erro":
            self.erros.append(message)
            return web.Response(status=204)
        self.arrivals.setdefault(str(message.get("acsTransID")), arrived)
        self.rreqs.append(message)
        self._arrived.set()
        return web.json_response(rres_for(message))

    async def wait_for(self, acs_trans_ids: list[str], *, timeout: float) -> None:
        """Until an RReq has arrived for each id, or ``timeout`` seconds (no error either way)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(i not in self.arrivals for i in acs_trans_ids):
            left = deadline - loop.time()
            if left <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                return


async def _standalone_rreq(request: web.Request) -> web.Response:
    message = await request.json()
    if message.get("messageType") == "Erro":
        return web.Response(status=204)
    return web.json_response(rres_for(message))


async def _healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_standalone_app() -> web.Application:
    """The fake DS as its own process for the load steps: answers every RReq with an RRes 01,
    as a live DS would, so the ACS's results outbox delivers each RReq once."""
    app = web.Application()
    app.router.add_post("/rreq", _standalone_rreq)
    app.router.add_get("/healthz", _healthz)
    return app


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.fake_ds")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_standalone_app(), host=HOST, port=args.port, print=None, access_log=None)
