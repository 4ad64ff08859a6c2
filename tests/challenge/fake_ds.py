"""A fake Directory Server: a real aiohttp app on port 0 that receives RReqs and answers RRes."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from acs.protocol import validate_outgoing


class FakeDS:
    """Records every RReq (validated against the ACS schemas) and answers RRes 01.

    ``fail_next`` answers HTTP 503 that many times; ``delay`` sleeps before answering. With
    ``tls`` it listens over HTTPS (mutual TLS if the context requires client certificates) and
    records the common name of each client certificate in ``client_names``.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.client_names: list[str] = []
        self.rreqs: list[dict[str, Any]] = []
        self.erros: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.fail_next = 0
        self.delay = 0.0
        self.arrived = asyncio.Condition()
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/rreq"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/rreq", self._rreq)
        self.server = TestServer(app, port=0)
        await self.server.start_server(ssl=self.tls)

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _rreq(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        if peer:
            names = [v for rdn in peer["subject"] for k, v in rdn if k == "commonName"]
            self.client_names.extend(names)
        message = await request.json()
        if message.get("messageType") == "Erro":
            self.erros.append(message)
            return web.Response(status=204)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=503)
        validate_outgoing(message)
        if self.for_trans(message["acsTransID"]):  # a second RReq: Erro 312 (Req 430-433)
            self.duplicates.append(message)
            return web.json_response(duplicate_erro(message))
        async with self.arrived:
            self.rreqs.append(message)
            self.arrived.notify_all()
        return web.json_response(rres_for(message))

    def for_trans(self, acs_trans_id: str) -> list[dict[str, Any]]:
        return [m for m in self.rreqs if m["acsTransID"] == acs_trans_id]

    async def wait_for(self, acs_trans_id: str, timeout: float = 10.0) -> dict[str, Any]:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: bool(self.for_trans(acs_trans_id))), timeout
            )
        return self.for_trans(acs_trans_id)[0]


def rres_for(rreq: dict[str, Any]) -> dict[str, Any]:
    rres = {
        k: rreq[k]
        for k in ("threeDSServerTransID", "acsTransID", "dsTransID", "messageVersion", "sdkTransID")
        if k in rreq
    }
    return {**rres, "messageType": "RRes", "resultsStatus": "01"}


def duplicate_erro(rreq: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageType": "Erro",
        "messageVersion": rreq["messageVersion"],
        "errorCode": "312",
        "errorComponent": "D",
        "errorDescription": "Duplicate message",
        "errorDetail": "acsTransID",
        "errorMessageType": "RReq",
        "acsTransID": rreq["acsTransID"],
    }
