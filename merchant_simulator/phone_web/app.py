"""The Banxo phone page server: ``/phone/{n}`` draws a phone, its JSON actions drive the slot.

Routes (``n`` is the phone's slot):

- ``GET /`` the phones; ``GET /phone/{n}`` the page; ``GET /phone/{n}/state`` what it shows;
- ``GET /phone/{n}/events`` server-sent events, one ``data:`` snapshot per change;
- ``POST /phone/{n}/login`` ``{identifier, password}`` (at the bank's identity provider),
  ``/logout``;
- ``POST /phone/{n}/activation`` ``{mobile}`` then ``/activation/confirm``
  ``{activation_code, code, biometrics: {payments, login}}`` (the customer is the logged-in one);
- ``POST /phone/{n}/operations/{id}/approve`` ``{method: code|biometric, code}``, ``…/refuse``;
- ``POST /phone/{n}/biometrics`` ``{purpose, enabled}``, ``/code`` ``{current, new}``,
  ``/close``, ``/forget``, ``/dismiss``.

Actions answer ``{"ok": true}`` or ``{"ok": false, "error", "message"}`` with the ACS's status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from html import escape
from typing import Any

import aiohttp
from aiohttp import web

from merchant_simulator.phone_web.config import PhoneWebConfig
from merchant_simulator.phone_web.errors import SlotError
from merchant_simulator.phone_web.page import index_page, phone_page
from merchant_simulator.phone_web.slot import PhoneSlot

__all__ = ["CLOSING", "SLOTS", "create_phone_app"]

SLOTS = web.AppKey("phone_slots", dict[int, PhoneSlot])
CONFIG = web.AppKey("phone_config", PhoneWebConfig)
CLOSING = web.AppKey("phone_closing", asyncio.Event)
PING_SECONDS = 15.0

routes = web.RouteTableDef()


def create_phone_app(config: PhoneWebConfig) -> web.Application:
    """Build the phone page server; saved phones are restored (and listen) at start-up."""
    config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    config.data_dir.chmod(0o700)  # the phones' private keys: owner-only, whatever the umask
    app = web.Application()
    app[CONFIG], app[SLOTS], app[CLOSING] = config, {}, asyncio.Event()
    app.cleanup_ctx.append(_slots)
    app.on_shutdown.append(_close_streams)
    app.add_routes(routes)
    return app


async def _slots(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for profile in config.phones:
            slot = PhoneSlot(profile, config=config, session=session)
            app[SLOTS][profile.slot] = slot
            await slot.restore()
        yield
        for slot in app[SLOTS].values():
            await slot.stop()


async def _close_streams(app: web.Application) -> None:
    app[CLOSING].set()


def _slot(request: web.Request) -> PhoneSlot:
    try:
        return request.app[SLOTS][int(request.match_info["n"])]
    except (KeyError, ValueError):
        raise web.HTTPNotFound(text="no such phone") from None


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    phones = [(s.profile.slot, s.profile.label) for s in request.app[SLOTS].values()]
    return web.Response(text=index_page(phones), content_type="text/html", charset="utf-8")


@routes.get("/phone/{n}")
async def page(request: web.Request) -> web.Response:
    slot = _slot(request)
    html = phone_page(slot=slot.profile.slot, label=escape(slot.profile.label))
    return web.Response(text=html, content_type="text/html", charset="utf-8")


@routes.get("/phone/{n}/state")
async def state(request: web.Request) -> web.Response:
    return web.json_response(_slot(request).snapshot())


@routes.get("/phone/{n}/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the snapshot now, then after each change (comment pings between)."""
    slot, closing = _slot(request), request.app[CLOSING]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
    )
    await response.prepare(request)
    queue = slot.watch()
    try:
        await response.write(_event(slot.snapshot()))
        while not closing.is_set():
            getter = asyncio.ensure_future(queue.get())
            stop = asyncio.ensure_future(closing.wait())
            done, _ = await asyncio.wait({getter, stop}, timeout=PING_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            stop.cancel()
            if getter in done:
                await response.write(_event(getter.result()))
            else:
                getter.cancel()
                await response.write(b": ping\n\n")
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        pass
    finally:
        slot.unwatch(queue)
    return response


def _event(snapshot: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(snapshot, ensure_ascii=False)}\n\n".encode()


async def _action(
    request: web.Request, act: Callable[[PhoneSlot, dict[str, Any]], Awaitable[None]]
) -> web.Response:
    slot = _slot(request)
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    try:
        await act(slot, body)
    except SlotError as exc:
        answer = {"ok": False, "error": exc.error, "message": exc.message}
        return web.json_response(answer, status=exc.status)
    except (aiohttp.ClientError, OSError, TimeoutError):
        message = "La banque ne répond pas. Réessayez dans un instant."
        return web.json_response({"ok": False, "error": "unreachable", "message": message},
                                 status=502)  # fmt: skip
    return web.json_response({"ok": True, "state": slot.snapshot()})


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    return value if isinstance(value, str) else str(value)


def _biometrics(body: dict[str, Any]) -> dict[str, bool]:
    given = body.get("biometrics")
    chosen = given if isinstance(given, dict) else {}
    return {"payments": bool(chosen.get("payments")), "login": bool(chosen.get("login"))}


@routes.post("/phone/{n}/login")
async def login(request: web.Request) -> web.Response:
    return await _action(
        request, lambda s, b: s.login(_text(b, "identifier"), _text(b, "password"))
    )


@routes.post("/phone/{n}/logout")
async def logout(request: web.Request) -> web.Response:
    async def act(slot: PhoneSlot, body: dict[str, Any]) -> None:
        slot.logout()

    return await _action(request, act)


@routes.post("/phone/{n}/activation")
async def start_activation(request: web.Request) -> web.Response:
    return await _action(request, lambda s, b: s.start_activation(_text(b, "mobile")))


@routes.post("/phone/{n}/activation/confirm")
async def confirm_activation(request: web.Request) -> web.Response:
    async def act(slot: PhoneSlot, body: dict[str, Any]) -> None:
        activation_code = _text(body, "activation_code").strip()
        await slot.finish_activation(
            activation_code, _text(body, "code"), biometrics=_biometrics(body)
        )

    return await _action(request, act)


@routes.post("/phone/{n}/operations/{operation_id}/approve")
async def approve(request: web.Request) -> web.Response:
    operation_id = request.match_info["operation_id"]
    return await _action(
        request,
        lambda s, b: s.approve(operation_id, method=_text(b, "method"), code=_text(b, "code")),
    )


@routes.post("/phone/{n}/operations/{operation_id}/refuse")
async def refuse(request: web.Request) -> web.Response:
    operation_id = request.match_info["operation_id"]
    return await _action(request, lambda s, b: s.refuse(operation_id))


@routes.post("/phone/{n}/biometrics")
async def biometrics(request: web.Request) -> web.Response:
    return await _action(
        request, lambda s, b: s.set_biometrics(_text(b, "purpose"), bool(b.get("enabled")))
    )


@routes.post("/phone/{n}/code")
async def change_code(request: web.Request) -> web.Response:
    return await _action(request, lambda s, b: s.change_code(_text(b, "current"), _text(b, "new")))


@routes.post("/phone/{n}/close")
async def close(request: web.Request) -> web.Response:
    return await _action(request, lambda s, b: s.close())


@routes.post("/phone/{n}/forget")
async def forget(request: web.Request) -> web.Response:
    return await _action(request, lambda s, b: s.forget())


@routes.post("/phone/{n}/dismiss")
async def dismiss(request: web.Request) -> web.Response:
    async def act(slot: PhoneSlot, body: dict[str, Any]) -> None:
        slot.dismiss()

    return await _action(request, act)
