"""Browser challenge routes (§1.5).

- ``POST /3ds/challenge`` — the iframe's form: ``creq`` (base64url, padded or not) and
  ``threeDSSessionData`` (returned unchanged with the final CRes). Errors become an Erro in the
  protocol middleware (the path is in ``PROTOCOL_ROUTES``).
- ``POST /3ds/challenge/{acsTransID}/otp | resend | sms | cancel | continue`` — the page's
  forms (``sms``: the way out of the Sécur'Pass page, an SMS code instead of the app).
- ``GET /3ds/static/{name}`` — the bank's logo (no CDN: the page's CSP allows ``img-src 'self'``).
- ``GET /3ds/challenge/{acsTransID}/status`` — long-poll (waits on the Hub) for the page script.

Follow-up routes carry the per-challenge ``token`` (no cookies); a wrong token is a 403.
The follow-up POSTs are posted by the ACS's own page, so when the browser sends ``Origin`` it
must be the ACS's public origin (that of ``public_base_url``), else a 403 page: another site
cannot drive a cardholder's challenge (cancel it, resend codes) through their browser. Only
``POST /3ds/challenge`` accepts any origin: the merchant's iframe posts the CReq cross-origin
by design.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from acs.flows.challenge import browser as flow
from acs.flows.challenge import effects
from acs.flows.challenge.browser import AfterCommit, Screen
from acs.flows.challenge.outcome import ResultKeys
from acs.flows.challenge.view import TEXTS, final_cres, final_text_key, language_of, token_ok
from acs.flows.challenge.waits import decided, settled
from acs.logs import bind_ids
from acs.protocol import (
    Base64Error,
    MessageType,
    ProtocolError,
    b64url_decode,
    parse_json,
    validate_incoming,
)
from acs.web.challenge_pages import encode_message, post_page, screen_page
from acs.web.keys import CLOCK, HUB, KEYRING, PUSH, SESSIONS, SETTINGS, SMS, VAULT

__all__ = ["after_commit", "result_keys", "routes"]

routes = web.RouteTableDef()
Form = MultiDictProxy[str | bytes | bytearray | FileField]
LONG_POLL_SECONDS = 20.0
RRES_GRACE_SECONDS = 8.0  # after a decision, how long the page waits for the RRes


def result_keys(app: web.Application) -> ResultKeys:
    return ResultKeys(settings=app[SETTINGS], keys=app[KEYRING], vault=app[VAULT])


async def after_commit(app: web.Application, after: AfterCommit) -> None:
    """Side effects that must follow the commit (:mod:`acs.flows.challenge.effects`)."""
    await effects.after_commit(
        after, sms=app[SMS], sessions=app[SESSIONS], hub=app[HUB], push=app[PUSH]
    )


def read_creq(value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise ProtocolError.invalid_message("creq", message_type="CReq")
    try:
        return parse_json(b64url_decode(value))
    except Base64Error:
        raise ProtocolError.invalid_message("creq", message_type="CReq") from None


async def read_form(request: web.Request) -> Form:
    """The posted form; a body that is not one (bad UTF-8, a wrong multipart boundary) raises
    ``ValueError`` (``UnicodeDecodeError`` is one)."""
    return await request.post()


async def _creq_form(request: web.Request) -> Form:
    try:
        return await read_form(request)
    except ValueError:
        raise ProtocolError.invalid_message("form body", message_type="CReq") from None


async def _page_form(request: web.Request) -> Form:
    try:
        return await read_form(request)
    except ValueError:
        raise web.HTTPBadRequest(text="this form could not be read") from None


@routes.post("/3ds/challenge")
async def creq(request: web.Request) -> web.StreamResponse:
    form = await _creq_form(request)
    message = read_creq(form.get("creq"))
    request["message"] = message
    bind_ids(message)
    validate_incoming(message, expected=MessageType.CREQ)
    if "sdkTransID" in message:
        raise ProtocolError.invalid(["sdkTransID"], message_type="CReq")
    session_data = _session_data(form.get("threeDSSessionData"))
    app = request.app
    async with app[SESSIONS].begin() as session:
        screen = await flow.browser_creq(
            session, message,
            session_data=session_data,
            language=language_of(request.headers.get("Accept-Language")),
            ctx=result_keys(app), now=app[CLOCK].now(),
        )  # fmt: skip
    await after_commit(app, screen.after)
    request["outcome"] = f"creq_{screen.kind}"
    if screen.error is not None and screen.kind == "refused":
        raise screen.error
    return _answer(request, screen)


def _session_data(value: object) -> str | None:
    """threeDSSessionData as returned with the final CRes (base64url by the spec, so printable:
    a NUL or a control character is a 203 rather than text a database column refuses)."""
    if not value:
        return None
    text = str(value)[:1024]
    if not text.isprintable():
        raise ProtocolError.invalid(["threeDSSessionData"], message_type="CReq")
    return text


def _answer(request: web.Request, screen: Screen) -> web.StreamResponse:
    app = request.app
    if screen.kind == "erro":
        return _erro_post(screen)
    return screen_page(
        screen, base_url=app[SETTINGS].base_url, wrap_key=app[KEYRING].session_wrap,
        settings=app[SETTINGS], now=app[CLOCK].now(),
    )  # fmt: skip


def _erro_post(screen: Screen) -> web.StreamResponse:
    """A CReq after the end: the Erro goes to the notificationURL in the ``cres`` field."""
    assert screen.error is not None
    txn = screen.txn
    erro = screen.error.to_erro(
        version=txn.message_version,
        ids={"threeDSServerTransID": txn.three_ds_server_trans_id, "acsTransID": txn.acs_trans_id},
        message_type="CReq",
    )
    lang = screen.row.language or "fr"
    return post_page(action=txn.notification_url or "about:blank",
                     fields=[("cres", encode_message(erro))], lang=lang,
                     message=TEXTS[lang]["finishing"])  # fmt: skip


def _checked(request: web.Request, token: str) -> str:
    acs_trans_id = request.match_info["acs_trans_id"]
    if not token_ok(request.app[KEYRING].session_wrap, acs_trans_id, token):
        raise web.HTTPForbidden(text="this challenge page has expired")
    return acs_trans_id


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` as a browser writes ``Origin`` (lower case, no
    default port); ``"://"`` for an opaque origin (``null``)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    host = f"[{host}]" if ":" in host else host  # an IPv6 literal
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{scheme}://{host}{port}"


def _same_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is not None and origin_of(origin) != origin_of(request.app[SETTINGS].base_url):
        raise web.HTTPForbidden(text="this form must be posted from the bank's challenge page")


async def _step(request: web.Request, action: str) -> web.StreamResponse:
    _same_origin(request)
    form = await _page_form(request)
    acs_trans_id = _checked(request, str(form.get("token", "")))
    app = request.app
    async with app[SESSIONS].begin() as session:
        ctx, now = result_keys(app), app[CLOCK].now()
        if action == "otp":
            code = str(form.get("code", ""))[:12]
            screen = await flow.submit_otp(session, acs_trans_id, code, ctx=ctx, now=now)
        elif action == "resend":
            screen = await flow.resend_otp(session, acs_trans_id, ctx=ctx, now=now)
        elif action == "sms":
            screen = await flow.switch_to_sms(session, acs_trans_id, ctx=ctx, now=now)
        else:
            screen = await flow.cancel(session, acs_trans_id, ctx=ctx, now=now)
    await after_commit(app, screen.after)
    if screen.kind == "wait":
        return await _final_or_wait(request, acs_trans_id, grace=RRES_GRACE_SECONDS)
    return _answer(request, screen)


@routes.post("/3ds/challenge/{acs_trans_id}/otp")
async def otp(request: web.Request) -> web.StreamResponse:
    return await _step(request, "otp")


@routes.post("/3ds/challenge/{acs_trans_id}/resend")
async def resend(request: web.Request) -> web.StreamResponse:
    return await _step(request, "resend")


@routes.post("/3ds/challenge/{acs_trans_id}/sms")
async def sms(request: web.Request) -> web.StreamResponse:
    """ "Vous n'avez pas votre téléphone ?": the SMS code instead of the app."""
    return await _step(request, "sms")


@routes.post("/3ds/challenge/{acs_trans_id}/cancel")
async def cancel(request: web.Request) -> web.StreamResponse:
    return await _step(request, "cancel")


@routes.post("/3ds/challenge/{acs_trans_id}/continue")
async def continue_(request: web.Request) -> web.StreamResponse:
    """The no-JavaScript button (and the script's target once the status says final)."""
    _same_origin(request)
    form = await _page_form(request)
    acs_trans_id = _checked(request, str(form.get("token", "")))
    return await _final_or_wait(request, acs_trans_id, grace=RRES_GRACE_SECONDS, pressed=True)


async def _final_or_wait(
    request: web.Request, acs_trans_id: str, *, grace: float, pressed: bool = False
) -> web.StreamResponse:
    """The final CRes once decided; else the current page — with, when the cardholder pressed
    "J'ai validé dans l'appli" before the approval arrived, a message saying so."""
    screen = await _settled(request.app, acs_trans_id, decided_wait=0.0, grace=grace)
    if screen is None:
        raise web.HTTPNotFound(text="unknown challenge")
    if not decided(screen):
        if pressed and screen.kind == "oob":
            screen = replace(screen, notice="oob_not_yet")
        return _answer(request, screen)
    txn = screen.txn
    fields = [("cres", encode_message(final_cres(txn, screen.row)))]
    if screen.row.session_data:
        fields.append(("threeDSSessionData", screen.row.session_data))
    lang = screen.row.language or "fr"
    text = TEXTS[lang][final_text_key(screen.row)]
    return post_page(action=txn.notification_url or "about:blank", fields=fields, lang=lang,
                     message=text)  # fmt: skip


STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"banxo-logo.svg": "image/svg+xml"}


@routes.get("/3ds/static/{name}")
async def static(request: web.Request) -> web.Response:
    """The challenge pages' own images (the bank's logo): a fixed list, served by the ACS."""
    name = request.match_info["name"]
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        raise web.HTTPNotFound(text="no such file")
    body = (STATIC / name).read_bytes()
    return web.Response(
        body=body, content_type=content_type, headers={"Cache-Control": "public, max-age=86400"}
    )


@routes.get("/3ds/challenge/{acs_trans_id}/status")
async def status(request: web.Request) -> web.Response:
    """``{"state", "final"}``: waits (Hub) up to 20 s for a decision and answers the moment
    there is one, so the page shows the outcome at once.

    The RRes is not awaited here: the RReq leaves in parallel, and ``/continue`` (where the
    page then posts) holds the final CRes until the RRes is in (§5: RReq, RRes, then CRes).
    """
    acs_trans_id = _checked(request, request.query.get("token", ""))
    screen = await _settled(request.app, acs_trans_id, decided_wait=LONG_POLL_SECONDS, grace=0.0)
    if screen is None:
        return web.json_response({"gone": True, "final": False}, status=404)
    body = {"state": screen.row.state, "final": decided(screen)}
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def _settled(
    app: web.Application, acs_trans_id: str, *, decided_wait: float, grace: float
) -> Screen | None:
    return await settled(
        app[SESSIONS], app[HUB], acs_trans_id, decided_wait=decided_wait, grace=grace
    )
