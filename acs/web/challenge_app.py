"""App challenge route (§1.6): ``POST /3ds/app-challenge``, ``application/jose`` both ways.

Errors (101 not a JWE, 302 decryption / counter, 201/203 schema, 305 ids, 402 late) become an
Erro in the protocol middleware, after the U / challengeCancel 10 RReq has been committed.
The CRes leaves within the SDK's 10 s read timeout: waits are capped at 8 s in total.
"""

from __future__ import annotations

import time

from aiohttp import web

from acs.flows.challenge import app as flow
from acs.flows.challenge.view import language_of
from acs.flows.challenge.waits import phone_or_rres
from acs.logs import bind_ids
from acs.protocol import ProtocolError
from acs.web.challenge import after_commit, result_keys
from acs.web.keys import CLOCK, HUB, SESSIONS

__all__ = ["routes"]

routes = web.RouteTableDef()
WAIT_BUDGET_SECONDS = 8.0


@routes.post("/3ds/app-challenge")
async def app_creq(request: web.Request) -> web.Response:
    body = await request.read()
    try:
        token = body.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError.invalid_message("not a JWE", message_type="CReq") from None
    app, started = request.app, time.monotonic()
    async with app[SESSIONS].begin() as session:
        step = await flow.receive(session, token, ctx=result_keys(app), now=app[CLOCK].now())
    request["message"] = step.message
    bind_ids(step.message)
    await after_commit(app, step.after)
    if step.error is not None:
        raise step.error
    await phone_or_rres(app[SESSIONS], app[HUB], step, deadline=started + WAIT_BUDGET_SECONDS)
    language = language_of(request.headers.get("Accept-Language"))
    async with app[SESSIONS].begin() as session:
        jwe = await flow.answer(session, step, ctx=result_keys(app), language=language)
    return web.Response(text=jwe, content_type="application/jose", charset="utf-8")
