"""DS routes: ``POST /areq`` (3DS Server → ACS), ``POST /rreq`` (ACS → 3DS Server), ``GET /ranges``.

The DS only routes: it checks that a message is JSON of the expected type, picks the ACS by card
range, and relays. Every error it detects itself is an Erro with errorComponent ``D``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from merchant_simulator.ds.config import DsConfig
from merchant_simulator.ds.directory import Directory, Route
from merchant_simulator.ds.keys import CONFIG, DIRECTORY, HTTP
from merchant_simulator.ds.messages import ds_erro, enrich_areq, range_list

__all__ = ["create_ds_app"]

log = logging.getLogger("merchant_simulator.ds")
routes = web.RouteTableDef()


def create_ds_app(config: DsConfig) -> web.Application:
    """Build the DS simulator from its card ranges."""
    app = web.Application()
    app[CONFIG], app[DIRECTORY] = config, Directory()
    app.cleanup_ctx.append(_http_client)
    app.add_routes(routes)
    return app


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    timeout = aiohttp.ClientTimeout(total=app[CONFIG].timeout_s)
    connector = aiohttp.TCPConnector(ssl=app[CONFIG].client_ssl or True)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        app[HTTP] = session
        yield


@routes.post("/areq")
async def areq(request: web.Request) -> web.Response:
    message = await _read_message(request, "AReq")
    if "errorCode" in message:
        return web.json_response(message)
    config = request.app[CONFIG]
    acs = config.range_for(str(message.get("acctNumber", "")))
    if acs is None:
        return web.json_response(ds_erro("305", "acctNumber", about=message, message_type="AReq"))
    ds_trans_id = str(uuid.uuid4())
    forwarded = enrich_areq(
        message,
        ds_trans_id=ds_trans_id,
        ds_url=_own_url(request, config, "/rreq"),
        reference_number=config.reference_number,
    )
    _remember(request.app[DIRECTORY], forwarded)
    return web.json_response(await _relay(request, acs.acs_areq_url, forwarded, "AReq"))


@routes.post("/rreq")
async def rreq(request: web.Request) -> web.Response:
    message = await _read_message(request, "RReq")
    if "errorCode" in message:
        return web.json_response(message)
    route = request.app[DIRECTORY].find(message.get("threeDSServerTransID"))
    if route is None or route.ds_trans_id != message.get("dsTransID"):
        erro = ds_erro("301", "threeDSServerTransID", about=message, message_type="RReq")
        return web.json_response(erro)
    return web.json_response(await _relay(request, route.three_ds_server_url, message, "RReq"))


@routes.get("/ranges")
async def ranges(request: web.Request) -> web.Response:
    return web.json_response(range_list(request.app[CONFIG].ranges))


async def _read_message(request: web.Request, expected: str) -> dict[str, Any]:
    """The JSON body, or the DS's Erro 101 when it is not a ``expected`` message."""
    try:
        message = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return ds_erro("101", "(body)", about={}, message_type=expected)
    if not isinstance(message, dict) or message.get("messageType") != expected:
        about = message if isinstance(message, dict) else {}
        return ds_erro("101", "messageType", about=about, message_type=expected)
    return message


def _remember(directory: Directory, areq: dict[str, Any]) -> None:
    directory.remember(
        Route(
            three_ds_server_trans_id=str(areq.get("threeDSServerTransID", "")),
            ds_trans_id=areq["dsTransID"],
            three_ds_server_url=str(areq.get("threeDSServerURL", "")),
            message_version=str(areq.get("messageVersion", "")),
        )
    )


async def _relay(
    request: web.Request, url: str, message: dict[str, Any], kind: str
) -> dict[str, Any]:
    """POST ``message`` to ``url`` and return the JSON answer, or the DS's Erro 402/405."""
    try:
        async with request.app[HTTP].post(url, json=message) as response:
            answer = json.loads(await response.read())
    except TimeoutError:
        log.warning("%s to %s timed out", kind, url)
        return ds_erro("402", url, about=message, message_type=kind)
    except (aiohttp.ClientError, ValueError) as exc:
        log.warning("%s to %s failed: %s", kind, url, exc)
        return ds_erro("405", url, about=message, message_type=kind)
    if not isinstance(answer, dict):
        return ds_erro("405", url, about=message, message_type=kind)
    return answer


def _own_url(request: web.Request, config: DsConfig, path: str) -> str:
    base = config.public_url or str(request.url.origin())
    return base.rstrip("/") + path
