"""The one place that turns exceptions into answers.

- :class:`~acs.protocol.ProtocolError` → an Erro message (errorComponent ``A``) carrying every
  transaction id already known;
- a body over the size limit → HTTP 413 with an Erro (on the 3DS routes) or a JSON message;
- anything unexpected → a generic system-failure Erro (3DS routes) or a JSON 500 with an incident
  id; the traceback goes to the log only, under that id.

A database outage is not a traceback a request: :class:`OutageLog` writes one error line when
requests start failing on the database and one warning when a 3-D Secure request is answered
again; the requests in between are logged at debug with their incident id.

Before all of them, :func:`on_its_listener` answers 404 for a route asked on a listener it does
not belong to (:mod:`acs.web.listeners`).
"""

from __future__ import annotations

import logging
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from acs.flows.health import is_outage
from acs.logs import bind
from acs.protocol import ErrorCode, ProtocolError, known_ids
from acs.web.keys import METRICS, OUTAGES, ROUTING

log = logging.getLogger("acs.web")

# The message each 3DS route expects: it names errorMessageType in an Erro.
PROTOCOL_ROUTES = {
    "/3ds/areq": "AReq",
    "/3ds/challenge": "CReq",
    "/3ds/app-challenge": "CReq",
}


@web.middleware
async def on_its_listener(request: web.Request, handler: Handler) -> web.StreamResponse:
    """404, as for a path that does not exist, when the route belongs to another listener.

    With listeners, a wrong method is a 404 too: a 405 (and its ``Allow``) would tell the
    public listener that ``/3ds/areq`` exists somewhere."""
    match = request.match_info
    if match.http_exception is None or isinstance(match.http_exception, web.HTTPMethodNotAllowed):
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        if not request.app[ROUTING].allows(match.route.resource, sockname):
            raise web.HTTPNotFound()
    return await handler(request)


@web.middleware
async def protocol_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    message_type = PROTOCOL_ROUTES.get(request.path)
    if message_type is None:
        with bind():  # ids bound by a flow (a decision's) end with the request
            return await _plain(request, handler)
    started = time.perf_counter()
    with bind(path=request.path):
        response = await _protocol(request, handler, message_type)
    outcome = request.get("outcome", f"http_{response.status}")
    request.app[METRICS].observe(message_type, outcome, time.perf_counter() - started)
    return response


async def _protocol(
    request: web.Request, handler: Handler, message_type: str
) -> web.StreamResponse:
    try:
        return await handler(request)
    except ProtocolError as exc:
        log.info("%s refused with Erro %s: %s", message_type, exc.code, exc.detail)
        return _erro(request, exc, message_type)
    except web.HTTPRequestEntityTooLarge:
        too_large = ProtocolError.invalid_message("message too large")
        return _erro(request, too_large, message_type, status=413)
    except web.HTTPException:
        raise
    except Exception as exc:
        _unexpected(request, message_type, exc)
        return _erro(request, ProtocolError.system_failure(), message_type)
    finally:
        if request.app[OUTAGES].down and request.get("outcome") != _SYSTEM_FAILURE:
            request.app[OUTAGES].answered()


def _erro(
    request: web.Request, exc: ProtocolError, message_type: str, *, status: int = 200
) -> web.Response:
    message = request.get("message") or {}
    version = message.get("messageVersion") if isinstance(message, dict) else None
    erro = exc.to_erro(version=version, ids=known_ids(message), message_type=message_type)
    request["outcome"] = f"erro_{exc.code}"
    return web.json_response(erro, status=status)


async def _plain(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        incident = _unexpected(request, request.path, exc)
        return web.json_response(
            {"error": "internal_error", "message": "unexpected failure", "incident": incident},
            status=500,
        )


def _unexpected(request: web.Request, where: str, exc: Exception) -> str:
    """Log an unexpected failure under a new incident id (a database outage: see OutageLog)."""
    incident = str(uuid.uuid4())
    if is_outage(exc):
        request.app[OUTAGES].failed(where, incident, exc)
    else:
        log.exception("unexpected failure on %s, incident %s", where, incident)
    return incident


_SYSTEM_FAILURE = f"erro_{ProtocolError.system_failure().code}"


__all__ = ["PROTOCOL_ROUTES", "ErrorCode", "on_its_listener", "protocol_errors"]
