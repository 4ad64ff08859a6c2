"""The bank's online-banking identity provider: logins, customer tokens, staff tokens, its keys.

Routes:

- ``GET /.well-known/jwks.json`` the public signing key;
- ``POST /login`` ``{identifier, password}`` → ``{session, subject}``;
- ``POST /token`` ``{session}`` → ``{access_token, token_type, expires_in}``, a fresh customer
  token at each call;
- ``POST /staff/token`` ``{staff_id, role, branch}`` → the same shape, a staff token
  (development: no login);
- the back office's staff login, OpenID Connect with PKCE (:mod:`.authorize`): discovery,
  ``/authorize`` (a login page), ``/oauth/token``.

Refusals are ``{"error", "message"}`` with the status of :mod:`merchant_simulator.idp.errors`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from merchant_simulator.idp import authorize
from merchant_simulator.idp.config import IdpConfig
from merchant_simulator.idp.errors import BadRequest, IdpError
from merchant_simulator.idp.keys import CLOCK, CONFIG, LOGINS, SIGNER
from merchant_simulator.idp.logins import Logins
from merchant_simulator.idp.signer import TokenSigner
from merchant_simulator.idp.tokens import StaffRequest, customer_claims, staff_claims

__all__ = ["JWKS_PATH", "create_idp_app"]

JWKS_PATH = "/.well-known/jwks.json"
routes = web.RouteTableDef()


def create_idp_app(config: IdpConfig, *, clock: Callable[[], float] = time.time) -> web.Application:
    """Build the identity provider; ``clock`` (seconds) dates tokens and ends sessions."""
    app = web.Application(middlewares=[_idp_errors], client_max_size=16 * 1024)
    app[CONFIG], app[CLOCK] = config, clock
    app[LOGINS], app[SIGNER] = Logins(config, clock), TokenSigner(config.kid)
    app[authorize.CODES] = authorize.AuthorizationCodes()
    app.add_routes(routes)
    app.add_routes(authorize.routes)
    return app


@web.middleware
async def _idp_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except IdpError as exc:
        return web.json_response(exc.to_json(), status=exc.status)


@routes.get(JWKS_PATH)
async def jwks(request: web.Request) -> web.Response:
    return web.json_response(request.app[SIGNER].jwks())


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    body = await _body(request)
    session = request.app[LOGINS].login(_text(body, "identifier"), _text(body, "password"))
    return web.json_response({"session": session.session_id, "subject": session.subject})


@routes.post("/token")
async def token(request: web.Request) -> web.Response:
    app = request.app
    subject = app[LOGINS].subject(_text(await _body(request), "session"))
    return _token(app, customer_claims(app[CONFIG], subject, app[CLOCK]()))


@routes.post("/staff/token")
async def staff_token(request: web.Request) -> web.Response:
    app = request.app
    if not app[CONFIG].staff_tokens:
        raise web.HTTPNotFound()
    staff = StaffRequest.read(await _body(request))
    return _token(app, staff_claims(app[CONFIG], staff, app[CLOCK]()))


def _token(app: web.Application, claims: dict[str, Any]) -> web.Response:
    answer = {
        "access_token": app[SIGNER].sign(claims),
        "token_type": "Bearer",
        "expires_in": claims["exp"] - claims["iat"],
    }
    return web.json_response(answer, headers={"Cache-Control": "no-store"})


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body is not a JSON object")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"{name}: a string is required")
    return value
