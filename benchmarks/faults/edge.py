"""The network edge of the fault runs: a Directory Server that can fail, and an SMS provider.

Both are real aiohttp apps on loopback ports, in the harness's process (the ACS runs as
``acs serve`` subprocesses and reaches them over TCP), so a killed ACS loses nothing of theirs.

The DS answers the first RReq of a transaction with RRes 01 and every later one with Erro 312
"duplicate message" (Req 430-433), counting it. Its :class:`DsMode` can change at any time:
``refuse`` closes the listening socket (connections refused) and reopens it on the same port,
``error`` answers HTTP 503, ``blackhole`` accepts and never answers until the mode changes.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

__all__ = ["DsMode", "FlakyDS", "SmsProvider"]

HOST = "127.0.0.1"
SMS_TOKEN = "faults-sms-token"


class DsMode(enum.Enum):
    UP = "up"
    REFUSE = "refuse"  # nothing listens on the port
    ERROR = "error"  # HTTP 503
    BLACKHOLE = "blackhole"  # TCP accepted, no answer


class FlakyDS:
    """``await ds.start()``; ``ds.url`` takes RReqs; ``await ds.set_mode(mode)``.

    ``delivered[acsTransID]`` is the RReq answered RRes (its arrival, monotonic seconds);
    ``duplicates`` counts the later ones (answered Erro 312); ``tried`` every RReq received.
    """

    def __init__(self) -> None:
        self.mode = DsMode.UP
        self.delivered: dict[str, dict[str, Any]] = {}
        self.arrived_at: dict[str, float] = {}
        self.duplicates: dict[str, int] = defaultdict(int)
        self.tried = 0
        self.erros: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/rreq"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/rreq", self._rreq)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await self._listen()

    async def close(self) -> None:
        self._changed.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def set_mode(self, mode: DsMode) -> None:
        if mode is self.mode:
            return
        if mode is DsMode.REFUSE and self._site is not None:
            await self._site.stop()
            self._site = None
        elif self.mode is DsMode.REFUSE:
            await self._listen()
        self.mode = mode
        self._changed.set()  # releases the black-holed requests
        self._changed = asyncio.Event()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, HOST, self.port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[-1][1]

    async def _rreq(self, request: web.Request) -> web.StreamResponse:
        self.tried += 1
        message = await request.json()
        if message.get("messageType") == "Erro":  # the ACS's 402 after a read timeout
            self.erros.append(message)
            return web.Response(status=204)
        if self.mode is DsMode.BLACKHOLE:
            await self._changed.wait()
            if request.transport is not None:  # no answer, ever: the connection just ends
                request.transport.abort()
            raise web.HTTPServiceUnavailable()
        if self.mode is DsMode.ERROR:
            return web.Response(status=503)
        acs_trans_id = str(message.get("acsTransID"))
        if acs_trans_id in self.delivered:
            self.duplicates[acs_trans_id] += 1
            return web.json_response(_duplicate(message))
        self.delivered[acs_trans_id] = message
        self.arrived_at[acs_trans_id] = time.monotonic()
        return web.json_response(_rres(message))


class SmsProvider:
    """The SMS gateway's webhook (``sms_gateway = "webhook"``): ``code_for(acsTransID)``."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = defaultdict(list)
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/sms"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sms", self._sms)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def text_for(self, reference: str, timeout: float) -> str | None:
        """The last text sent for ``reference`` (an acsTransID), waiting up to ``timeout``."""
        async with self._arrived:
            try:
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: bool(self.messages.get(reference))), timeout
                )
            except TimeoutError:
                return None
        return self.messages[reference][-1]

    async def _sms(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SMS_TOKEN}":
            return web.Response(status=401)
        body = await request.json()
        async with self._arrived:
            self.messages[str(body.get("reference"))].append(str(body.get("text")))
            self._arrived.notify_all()
        return web.json_response({"ok": True})


_ECHOED = ("threeDSServerTransID", "acsTransID", "dsTransID", "messageVersion", "sdkTransID")


def _rres(rreq: dict[str, Any]) -> dict[str, Any]:
    return {k: rreq[k] for k in _ECHOED if k in rreq} | {
        "messageType": "RRes",
        "resultsStatus": "01",
    }


def _duplicate(rreq: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageType": "Erro",
        "messageVersion": rreq.get("messageVersion", "2.2.0"),
        "errorCode": "312",
        "errorComponent": "D",
        "errorDescription": "Duplicate message",
        "errorDetail": "acsTransID",
        "errorMessageType": "RReq",
        "acsTransID": rreq.get("acsTransID"),
    }
