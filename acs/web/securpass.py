"""The Sécur'Pass device API (``/securpass/v1``), described in ``docs/device-api.md`` and
served as OpenAPI 3.1 at ``GET /securpass/v1/openapi.json``.

Before activation the app proves who the customer is with a token of the bank's identity
provider (``Authorization: Bearer``, :mod:`acs.flows.tokens`); after activation every call is
signed by the device key (``X-SP-*`` headers, :mod:`acs.securpass.signing`). Errors:
:mod:`acs.web.securpass_errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web

from acs.crypto.codes import code_key_public_jwk
from acs.flows.address_limit import AddressLimit, admit_address
from acs.flows.securpass import device as device_flows
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass import queries, signed
from acs.flows.securpass.answer import answer_operation
from acs.flows.securpass.bodies import read_json, read_object
from acs.flows.securpass.calls import SignedCall
from acs.flows.securpass.errors import InvalidRequest, UnknownResource
from acs.flows.securpass.services import PhoneServices
from acs.flows.securpass.signed import DeviceCall
from acs.flows.securpass.views import enrolment_view, operation_view
from acs.flows.tokens import LoginStrength, accept_token
from acs.notify import topics
from acs.securpass.pincode import CODE_POLICY
from acs.web.bearer import bearer_token
from acs.web.client_address import client_address
from acs.web.keys import CLOCK, HUB, KEYRING, OPERATION_HOOKS, SESSIONS, SETTINGS, SMS, TOKENS

__all__ = ["API", "routes"]

API = "/securpass/v1"
MAX_WAIT_SECONDS = 30
EVENT_WAIT_SECONDS = 25
OPENAPI = Path(__file__).with_name("securpass_openapi.json")

routes = web.RouteTableDef()


async def _customer_id(request: web.Request, *, activation: bool) -> str:
    """The customer the bearer token was issued for (its ``sub``), the token spent; an
    ``activation`` call also needs the login strength the bank requires (``acr``/``amr``)."""
    provider = request.app[SETTINGS].identity_provider
    strength = LoginStrength(provider.activation_acr, provider.activation_amr)
    token = await accept_token(
        request.app[SESSIONS],
        request.app[TOKENS],
        bearer_token(request),
        audience=provider.customer_audience,
        strength=strength if activation else None,
    )
    return token.subject


async def _admit_address(request: web.Request) -> None:
    """The per-address limit of enrolment calls, checked before the token is spent."""
    settings = request.app[SETTINGS]
    limit = AddressLimit(
        settings.enrolment_calls_per_address_per_hour, request.app[KEYRING].address_key
    )
    address = client_address(request, settings.proxy_networks)
    await admit_address(request.app[SESSIONS], limit, address, now=request.app[CLOCK].now())


def _code_key(request: web.Request) -> dict[str, Any]:
    keys = request.app[KEYRING]
    return code_key_public_jwk(keys.code_key, kid=keys.code_kid)


async def _signed(request: web.Request) -> SignedCall:
    return SignedCall(request.method, request.raw_path, await request.read(), request.headers)


def _phone_services(request: web.Request) -> PhoneServices:
    app = request.app
    return PhoneServices(app[SESSIONS], app[KEYRING], app[OPERATION_HOOKS], app[HUB])


async def _device_call(request: web.Request) -> DeviceCall:
    """The signed-call preamble: the call as received, checked now, for the path's device."""
    call = await _signed(request)
    device_id = request.match_info.get("device_id")
    return DeviceCall(call, now=request.app[CLOCK].now(), device_id=device_id)


@routes.get(f"{API}/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(json.loads(OPENAPI.read_text(encoding="utf-8")))


@routes.get(f"{API}/code-key")
async def code_key(request: web.Request) -> web.Response:
    """The public key the phone encrypts Sécur'Pass codes to."""
    return web.json_response(_code_key(request))


@routes.post(f"{API}/enrolments")
async def start(request: web.Request) -> web.Response:
    """SP-20: self-care start (also a new phone, SP-40/41): eligibility, then an SMS code."""
    await _admit_address(request)
    customer_id = await _customer_id(request, activation=True)
    now = request.app[CLOCK].now()
    row = await enrol_flows.start_selfcare(
        request.app[SESSIONS],
        customer_id=customer_id,
        keys=request.app[KEYRING],
        sms=request.app[SMS],
        codes_per_hour=request.app[SETTINGS].activation_codes_per_hour,
        now=now,
    )
    body = {
        "enrolment": enrolment_view(row),
        "activation": await queries.activation_notice(request.app[SESSIONS], customer_id, now=now),
        "code_key": _code_key(request),
        "code_policy": CODE_POLICY,
    }
    return web.json_response(body, status=201)


@routes.get(f"{API}/enrolments/current")
async def current(request: web.Request) -> web.Response:
    """The customer's open enrolment (e.g. initiated in branch, SP-32), for the app."""
    customer_id = await _customer_id(request, activation=False)
    async with request.app[SESSIONS].begin() as session:
        row = await enrol_flows.current_enrolment(
            session, customer_id, now=request.app[CLOCK].now()
        )
    if row is None:
        raise UnknownResource("unknown_enrolment", "no open Sécur'Pass enrolment")
    body = {"enrolment": enrolment_view(row), "code_key": _code_key(request)}
    return web.json_response(body | {"code_policy": CODE_POLICY})


@routes.post(f"{API}/enrolments/{{enrolment_id}}/activation")
async def activate(request: web.Request) -> web.Response:
    """SP-21/22/34: register the phone (keys, code, model, push token, biometric choices)."""
    await _admit_address(request)
    customer_id = await _customer_id(request, activation=True)
    call = await _signed(request)
    activation = await enrol_flows.activate_device(
        _phone_services(request),
        call,
        enrolment_id=request.match_info["enrolment_id"],
        customer_id=customer_id,
        data=read_json(call.body),
        now=request.app[CLOCK].now(),
    )
    answer = {
        "device_id": activation.device_id,
        "enrolment": enrolment_view(activation.enrolment),
        "code_key": _code_key(request),
        "message": "Sécur'Pass est activé sur ce téléphone.",
    }
    return web.json_response(answer, status=201)


@routes.get(f"{API}/devices/{{device_id}}")
async def device(request: web.Request) -> web.Response:
    call = await _device_call(request)
    return web.json_response(await signed.device_status(request.app[SESSIONS], call))


@routes.patch(f"{API}/devices/{{device_id}}/biometrics")
async def biometrics(request: web.Request) -> web.Response:
    """SP-23: biometrics on or off for payments or login, independently."""
    call = await _device_call(request)
    data = read_object(call.call.body, empty=b"null")
    enrolment = await signed.set_biometrics(request.app[SESSIONS], call, data)
    return web.json_response({"enrolment": enrolment_view(enrolment)})


@routes.put(f"{API}/devices/{{device_id}}/code")
async def change_code(request: web.Request) -> web.Response:
    """SP-24: change the code; needs the current one."""
    await device_flows.change_code(
        _phone_services(request),
        await _signed(request),
        device_id=request.match_info["device_id"],
        now=request.app[CLOCK].now(),
    )
    return web.json_response({"status": "changed", "message": "Votre code Sécur'Pass a changé."})


@routes.delete(f"{API}/enrolments/{{enrolment_id}}")
async def close(request: web.Request) -> web.Response:
    """SP-43: close Sécur'Pass; the device is revoked; challenges fall back to SMS OTP."""
    enrolment, publish = await signed.close_enrolment(
        request.app[SESSIONS],
        await _device_call(request),
        request.match_info["enrolment_id"],
        hooks=request.app[OPERATION_HOOKS],
    )
    await request.app[HUB].publish(*publish)
    message = "Vous n'êtes plus adhérent à Sécur'Pass. Vos opérations seront validées par SMS."
    return web.json_response({"enrolment": enrolment_view(enrolment), "message": message})


@routes.get(f"{API}/devices/{{device_id}}/operations")
@routes.get(f"{API}/devices/{{device_id}}/operations/pending")
async def pending(request: web.Request) -> web.Response:
    """Signed poll of the pending operations; ``wait=N`` (≤ 30 s) long-polls until one comes."""
    call = await _device_call(request)
    if request.query.get("status", "pending") != "pending":
        raise InvalidRequest("malformed_query", "only status=pending is served")
    wait = _wait(request.query.get("wait", "0"))
    sessions = request.app[SESSIONS]
    row = await signed.verified_device(sessions, call)
    operations = await queries.wait_for_operations(
        sessions, request.app[HUB], row.id, clock=request.app[CLOCK], wait=wait
    )
    return web.json_response({"operations": [operation_view(o) for o in operations]})


def _wait(text: str) -> float:
    """``wait`` in seconds, finite and within 0 … 30 (a NaN once froze every timer of the
    process: ``min(max(nan, 0), 30)`` is NaN), else a 400 ``malformed_query``."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_WAIT_SECONDS):
        raise InvalidRequest(
            "malformed_query", f"wait is a number of seconds, 0 to {MAX_WAIT_SECONDS}"
        )
    return seconds


@routes.get(f"{API}/operations/{{operation_id}}")
async def operation(request: web.Request) -> web.Response:
    """Signed fetch of one operation (the push carries only its id, SP-51)."""
    call = await _device_call(request)
    op = await signed.device_operation(
        request.app[SESSIONS], call, request.match_info["operation_id"]
    )
    return web.json_response(operation_view(op))


@routes.post(f"{API}/operations/{{operation_id}}/answer")
async def answer(request: web.Request) -> web.Response:
    """Approve (code or biometrics) or refuse ("Je refuse ce paiement", SP-52 … SP-56)."""
    result = await answer_operation(
        _phone_services(request),
        await _signed(request),
        operation_id=request.match_info["operation_id"],
        oppose_on_refusal=request.app[SETTINGS].securpass_refusal_opposes_card,
        now=request.app[CLOCK].now(),
    )
    return web.json_response(result.to_wire())


@routes.get(f"{API}/devices/{{device_id}}/events")
async def events(request: web.Request) -> web.StreamResponse:
    """WebSocket of wake-ups: the upgrade request itself is a signed call (X-SP-* headers)."""
    row = await signed.verified_device(request.app[SESSIONS], await _device_call(request))
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    reader = asyncio.create_task(_drain(ws))
    try:
        await _stream(request, ws, row.id, reader)
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        pass  # the phone went away while we were writing: nothing to tell it any more
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await ws.close()
    return ws


async def _stream(
    request: web.Request, ws: web.WebSocketResponse, device_id: str, reader: asyncio.Task
) -> None:
    """Send each pending operation once, ``closed`` when one leaves ``pending``, and
    ``device`` (then close) when the device is revoked or blocked."""
    sent: set[str] = set()
    hub = request.app[HUB]
    while not ws.closed and not reader.done():
        snapshot = await queries.device_snapshot(
            request.app[SESSIONS], device_id, sent=sent, now=request.app[CLOCK].now()
        )
        status, operations, gone = snapshot.status, snapshot.operations, snapshot.gone
        for op in gone:
            await ws.send_json({"type": "closed", "operation_id": op.id, "status": op.status})
            sent.discard(op.id)
        if status != "active":
            await ws.send_json({"type": "device", "status": status})
            return
        for op in operations:
            if op.id not in sent:
                await ws.send_json({"type": "operation", "operation": operation_view(op)})
                sent.add(op.id)
        waiter = asyncio.create_task(hub.wait(topics.device(device_id), EVENT_WAIT_SECONDS))
        await asyncio.wait({waiter, reader}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()


async def _drain(ws: web.WebSocketResponse) -> None:
    async for message in ws:
        if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            return
