"""Routes the Directory Server calls: ``POST /3ds/areq``."""

from __future__ import annotations

from aiohttp import web

from acs.crypto.ds_clients import ClientScheme
from acs.flows.areq.authenticate import authenticate
from acs.logs import bind_ids
from acs.notify import topics
from acs.protocol import MessageType, TransStatus, parse_json, validate_incoming
from acs.web.keys import AREQ_STORES, CLOCK, DS_CLIENT_CAS, HUB, KEYRING, TRA_GATE, VAULT

routes = web.RouteTableDef()


@routes.post("/3ds/areq")
async def areq(request: web.Request) -> web.Response:
    message = parse_json(await request.read())  # 101 / 204
    request["message"] = message  # lets the error middleware quote the ids it knows
    bind_ids(message)  # every log line of this AReq carries them (acsTransID once known)
    version = validate_incoming(message, expected=MessageType.AREQ)  # 101 / 102 / 201 / 202 / 203
    async with request.app[AREQ_STORES].open() as store:
        ares = await authenticate(
            message,
            version,
            store=store,
            settings=request.app[TRA_GATE].settings,  # TRA bands from the fraud monitor
            keys=request.app[KEYRING],
            vault=request.app[VAULT],
            clock=request.app[CLOCK],
            client=_client_scheme(request),
        )
    if ares["transStatus"] == TransStatus.DECOUPLED:
        # The decoupled operation is committed: wake the worker that announces it to the phone.
        await request.app[HUB].publish(topics.OUTBOX)
    request["outcome"] = ares["transStatus"]
    return web.json_response(ares)


def _client_scheme(request: web.Request) -> ClientScheme | None:
    """The scheme of the DS's client certificate (mutual TLS on the ds listener), if any."""
    tls = request.transport.get_extra_info("ssl_object") if request.transport else None
    der = tls.getpeercert(binary_form=True) if tls is not None else None
    return request.app[DS_CLIENT_CAS].scheme_of(der) if der else None
