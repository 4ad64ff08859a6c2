"""Development-only routes, mounted only in the development profile with the in-memory SMS
outbox: the phone's SMS inbox (it shows every code, so it never exists in production)."""

from __future__ import annotations

from aiohttp import web

from acs.notify.sms import OutboxSms
from acs.web.keys import SMS

routes = web.RouteTableDef()


@routes.get("/dev/sms")
async def sms_inbox(request: web.Request) -> web.Response:
    """``GET /dev/sms?to=+33612345678`` → the messages sent to that number, newest last."""
    to = request.query.get("to", "")
    if not to:
        return web.json_response(
            {"error": "missing_to", "message": "give ?to=<number>"}, status=400
        )
    outbox = request.app[SMS]
    assert isinstance(outbox, OutboxSms)  # these routes are mounted only with it (app factory)
    messages = [
        {
            "to": m.to,
            "text": m.text,
            "purpose": m.purpose,
            "reference": m.reference,
            "at": m.at.isoformat(),
        }
        for m in outbox.inbox(to)
    ]
    return web.json_response({"messages": messages})
