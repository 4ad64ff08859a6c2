"""``/banking/v1``: the banking operations API for the bank's online-banking back end (admin
listener, service tokens; docs/banking-operations.md), and its worker (a cleanup_ctx) that
expires operations and delivers the signed callbacks.

=======  ==========================================  =====================================
method   path                                        answer
=======  ==========================================  =====================================
POST     /banking/v1/operations                      201 the operation (method chosen)
GET      /banking/v1/operations/{id}?wait=<s>        200 its status (long-poll up to wait)
POST     /banking/v1/operations/{id}/cancel          200 cancelled; 409 already decided
POST     /banking/v1/operations/{id}/code            200 approved by the SMS code; 401 wrong
GET      /banking/v1/openapi.json                    200 the OpenAPI 3.1 document
=======  ==========================================  =====================================
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from acs.flows.banking import operations, sms
from acs.flows.banking.callbacks import CallbackSender
from acs.flows.banking.clients import accept_client
from acs.flows.banking.requests import parse_create
from acs.flows.banking.services import BankingServices
from acs.flows.health import is_outage
from acs.flows.securpass.bodies import read_object
from acs.flows.securpass.errors import InvalidRequest
from acs.notify import bank, topics
from acs.web.bearer import bearer_token
from acs.web.keys import (
    BANK_CALLBACKS,
    CLOCK,
    HUB,
    KEYRING,
    OPERATION_HOOKS,
    PUSH,
    SESSIONS,
    SETTINGS,
    SMS,
    TOKENS,
)

__all__ = ["banking_worker", "routes", "run_once", "services"]

API = "/banking/v1"
OPENAPI = Path(__file__).with_name("banking_openapi.json")
IDLE_SECONDS = 1.0
log = logging.getLogger("acs.web.banking")
routes = web.RouteTableDef()


def services(app: web.Application) -> BankingServices:
    return BankingServices(
        sessions=app[SESSIONS], settings=app[SETTINGS], keys=app[KEYRING], hub=app[HUB],
        sms=app[SMS], push=app[PUSH], hooks=app[OPERATION_HOOKS],
    )  # fmt: skip


async def _client(request: web.Request) -> str:
    app = request.app
    return await accept_client(app[TOKENS], bearer_token(request), settings=app[SETTINGS])


def _wait(request: web.Request) -> float:
    raw, high = request.query.get("wait", "0"), request.app[SETTINGS].banking.max_wait_seconds
    try:
        wait = float(raw)
    except ValueError:
        wait = -1.0
    if not 0 <= wait <= high:  # also NaN
        raise InvalidRequest("invalid_field", f"wait: expected 0 to {high} seconds", field="wait")
    return wait


@routes.get(f"{API}/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(json.loads(OPENAPI.read_text(encoding="utf-8")))


@routes.post(f"{API}/operations")
async def create(request: web.Request) -> web.Response:
    client = await _client(request)
    now = request.app[CLOCK].now()
    body = parse_create(
        read_object(await request.read()), settings=request.app[SETTINGS].banking, now=now
    )
    view, created = await operations.create(services(request.app), body, client=client, now=now)
    return web.json_response(view, status=201 if created else 200)


@routes.get(f"{API}/operations/{{operation_id}}")
async def status(request: web.Request) -> web.Response:
    client, wait = await _client(request), _wait(request)
    view = await operations.read_status(
        services(request.app), request.match_info["operation_id"], client=client, wait=wait
    )
    return web.json_response(view)


@routes.post(f"{API}/operations/{{operation_id}}/cancel")
async def cancel(request: web.Request) -> web.Response:
    client = await _client(request)
    view = await operations.cancel(
        services(request.app), request.match_info["operation_id"], client=client,
        now=request.app[CLOCK].now(),
    )  # fmt: skip
    return web.json_response(view)


@routes.post(f"{API}/operations/{{operation_id}}/code")
async def code(request: web.Request) -> web.Response:
    client = await _client(request)
    body = read_object(await request.read())
    view = await sms.submit_code(
        services(request.app), request.match_info["operation_id"], body.get("code"),
        client=client, now=request.app[CLOCK].now(),
    )  # fmt: skip
    return web.json_response(view)


async def banking_worker(app: web.Application) -> AsyncIterator[None]:
    """Expire due operations and deliver the callbacks: woken by ``banking-callbacks`` (after
    every deciding commit) or every second."""
    http = bank.open_session()
    timeout = app[SETTINGS].banking.callback_timeout_seconds
    app[BANK_CALLBACKS] = CallbackSender(
        sessions=app[SESSIONS], settings=app[SETTINGS], clock=app[CLOCK],
        client=bank.BankClient(http, timeout_seconds=timeout),
    )  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(_loop(app, stop), name="acs-banking-worker")
    yield
    # Let a round in flight finish (a query cancelled mid-flight on SQLite outlives its loop).
    stop.set()
    with contextlib.suppress(TimeoutError):  # then cancelled: the leases cover what was in flight
        await asyncio.wait_for(task, timeout=timeout + 5)
    await http.close()


async def _loop(app: web.Application, stop: asyncio.Event) -> None:
    wake = app[HUB].subscribe(topics.BANKING_CALLBACKS)
    try:
        while not stop.is_set():
            wake.clear()
            try:
                await run_once(app)
            except Exception as exc:
                if not is_outage(exc):
                    log.exception("banking worker round failed")
            await _idle(wake, stop)
    finally:
        app[HUB].unsubscribe(topics.BANKING_CALLBACKS, wake)


async def _idle(wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Until woken, stopped, or ``IDLE_SECONDS`` pass."""
    waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    await asyncio.wait(waits, timeout=IDLE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    for waiting in waits:
        waiting.cancel()


async def run_once(app: web.Application) -> None:
    """One round: expire what is due, then deliver every due callback."""
    publish = await operations.expire_due(services(app), now=app[CLOCK].now())
    await app[HUB].publish(*publish)
    while await app[BANK_CALLBACKS].deliver_due():
        pass
