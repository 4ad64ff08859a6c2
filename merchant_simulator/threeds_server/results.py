"""``POST /rreq``: the Results Request relayed by the DS after a challenge; answered with RRes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from merchant_simulator.threeds_server.ds_client import local_erro
from merchant_simulator.threeds_server.keys import TRANSACTIONS
from merchant_simulator.threeds_server.state import Transaction

__all__ = ["routes", "rres_for"]

routes = web.RouteTableDef()


@routes.post("/rreq")
async def rreq(request: web.Request) -> web.Response:
    try:
        message = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return web.json_response(local_erro("101", "RReq is not JSON", {}))
    if not isinstance(message, dict) or message.get("messageType") != "RReq":
        about = message if isinstance(message, dict) else {}
        return web.json_response(local_erro("101", "not an RReq", about))
    store = request.app[TRANSACTIONS]
    transaction = store.get(message.get("threeDSServerTransID"))
    if transaction is None or not _same_ids(transaction, message):
        erro = {**local_erro("301", "threeDSServerTransID", message), "errorMessageType": "RReq"}
        return web.json_response(erro)
    store.update(transaction.trans_id, rreq=message)
    return web.json_response(rres_for(message))


def rres_for(rreq: dict[str, Any], results_status: str = "01") -> dict[str, Any]:
    """The RRes acknowledging ``rreq`` (01: received for further processing)."""
    ids = ("threeDSServerTransID", "acsTransID", "dsTransID", "sdkTransID")
    return {
        "messageType": "RRes",
        "messageVersion": rreq.get("messageVersion"),
        **{k: rreq[k] for k in ids if k in rreq},
        "resultsStatus": results_status,
    }


def _same_ids(transaction: Transaction, rreq: dict[str, Any]) -> bool:
    ares = transaction.ares or {}
    return all(rreq.get(k) == ares.get(k) for k in ("acsTransID", "dsTransID"))
