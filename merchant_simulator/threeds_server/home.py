"""``GET /``: the 3DS Server's recent transactions, newest first (HTML; JSON on request)."""

from __future__ import annotations

from html import escape

from aiohttp import web

from merchant_simulator.threeds_server.keys import TRANSACTIONS
from merchant_simulator.threeds_server.outcome import outcome
from merchant_simulator.threeds_server.pages import recent_page

__all__ = ["routes"]

routes = web.RouteTableDef()
RECENT = 50


@routes.get("/")
async def recent(request: web.Request) -> web.Response:
    found = sorted(request.app[TRANSACTIONS].all(), key=lambda t: t.created_at, reverse=True)
    rows = []
    for transaction in found[:RECENT]:
        result = outcome(transaction)
        purchase = transaction.purchase
        amount = f"{purchase.amount / 10**purchase.exponent:.{purchase.exponent}f}"
        rows.append({
            "threeDSServerTransID": transaction.trans_id,
            "at": transaction.created_at.isoformat(timespec="seconds"),
            "card": f"•••• {transaction.card.number[-4:]}",
            "amount": f"{amount} ({purchase.currency})",
            "messageVersion": transaction.version,
            "challenged": transaction.challenged,
            "status": result["status"],
            "transStatus": result.get("transStatus", ""),
            "transStatusReason": result.get("transStatusReason", ""),
            "challengeCancel": result.get("challengeCancel", ""),
            "errorCode": result.get("errorCode", ""),
        })  # fmt: skip
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response({"transactions": rows})
    page = recent_page([{k: escape(str(v)) for k, v in row.items()} for row in rows])
    return web.Response(text=page, content_type="text/html", charset="utf-8")
