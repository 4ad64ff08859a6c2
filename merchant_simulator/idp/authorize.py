"""The staff login of the bank's identity provider: OpenID Connect authorisation code with PKCE.

- ``GET /.well-known/openid-configuration``: the discovery document;
- ``GET /authorize`` checks the client and its redirect URI (a bad one is an error page, never a
  redirect), requires ``response_type=code``, a ``state``, a ``nonce`` and an S256
  ``code_challenge``, and shows the login form;
- ``POST /authorize`` checks the staff login and password (constant time) and redirects to
  ``redirect_uri?code=…&state=…``;
- ``POST /oauth/token`` exchanges a code once, for its client and redirect URI, when the
  ``code_verifier`` matches the challenge: ``{id_token, access_token, token_type, expires_in}``.
Codes live ``code_seconds`` in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from merchant_simulator.idp.config import IdpConfig, IdpStaff
from merchant_simulator.idp.keys import CLOCK, CONFIG, SIGNER

__all__ = ["AuthorizationCodes", "routes"]

routes = web.RouteTableDef()
_FIELDS = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
_NOBODY = IdpStaff("", secrets.token_urlsafe(16), "", "", "", "")


@dataclass(frozen=True)
class Grant:
    staff: IdpStaff
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    expires_at: float


class AuthorizationCodes:
    """Codes issued and not yet exchanged (one use each)."""

    def __init__(self) -> None:
        self._grants: dict[str, Grant] = {}

    def issue(self, grant: Grant) -> str:
        code = secrets.token_urlsafe(32)
        self._grants[code] = grant
        return code

    def take(self, code: str) -> Grant | None:
        return self._grants.pop(code, None)


CODES = web.AppKey("idp_codes", AuthorizationCodes)


def allowed_redirect(config: IdpConfig, uri: str) -> bool:
    if config.staff_redirect_uris:
        return uri in config.staff_redirect_uris
    parts = urlsplit(uri)
    return (
        parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost")
        and parts.path == "/backoffice/callback"
        and not parts.query
    )


@routes.get("/.well-known/openid-configuration")
async def discovery(request: web.Request) -> web.Response:
    issuer = _config(request).issuer
    return web.json_response({
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid"],
    })  # fmt: skip


@routes.get("/authorize")
async def authorize_form(request: web.Request) -> web.Response:
    params = _checked(request, dict(request.query))
    return _form(params)


@routes.post("/authorize")
async def authorize(request: web.Request) -> web.Response:
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    params = _checked(request, form)
    config = _config(request)
    staff = config.staff_account(form.get("login", ""))
    given = form.get("password", "").encode()
    if not hmac.compare_digest(given, (staff or _NOBODY).password.encode()) or staff is None:
        return _form(params, error="Identifiant ou mot de passe incorrect.", status=401)
    grant = Grant(
        staff, params["client_id"], params["redirect_uri"], params["nonce"],
        params["code_challenge"], request.app[CLOCK]() + config.code_seconds,
    )  # fmt: skip
    code = request.app[CODES].issue(grant)
    query = urlencode({"code": code, "state": params["state"]})
    raise web.HTTPFound(f"{params['redirect_uri']}?{query}")


@routes.post("/oauth/token")
async def token(request: web.Request) -> web.Response:
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    if form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type")
    grant = request.app[CODES].take(form.get("code", ""))
    app = request.app
    if grant is None or grant.expires_at <= app[CLOCK]():
        return _oauth_error("invalid_grant")
    if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
        return _oauth_error("invalid_grant")
    if not hmac.compare_digest(_s256(form.get("code_verifier", "")), grant.code_challenge):
        return _oauth_error("invalid_grant", "code_verifier does not match")
    claims = _id_claims(_config(request), grant, app[CLOCK]())
    id_token = app[SIGNER].sign(claims)
    answer = {
        "id_token": id_token,
        "access_token": secrets.token_urlsafe(32),
        "token_type": "Bearer",
        "expires_in": claims["exp"] - claims["iat"],
    }
    return web.json_response(answer, headers={"Cache-Control": "no-store"})


def _id_claims(config: IdpConfig, grant: Grant, now: float) -> dict[str, Any]:
    issued = int(now)
    return {
        "iss": config.issuer, "aud": grant.client_id, "sub": grant.staff.staff_id,
        "iat": issued, "exp": issued + config.token_seconds, "auth_time": issued,
        "jti": str(uuid.uuid4()), "nonce": grant.nonce,
        "role": grant.staff.role, "branch": grant.staff.branch, "name": grant.staff.name,
    }  # fmt: skip


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _checked(request: web.Request, params: dict[str, str]) -> dict[str, str]:
    config = _config(request)
    if params.get("client_id") != config.staff_client_id:
        raise _error_page("Client inconnu.")
    if not allowed_redirect(config, params.get("redirect_uri", "")):
        raise _error_page("Adresse de retour non enregistrée pour ce client.")
    flow = (params.get("response_type"), params.get("code_challenge_method"))
    if request.method == "GET" and flow != ("code", "S256"):
        raise _error_page("Seul le flux « code » avec PKCE S256 est accepté.")
    missing = [name for name in _FIELDS if not params.get(name)]
    if missing:
        raise _error_page(f"Paramètres manquants : {', '.join(missing)}.")
    return {name: params[name] for name in _FIELDS}


_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Banxo — {title}</title>
<style>body {{ font-family: sans-serif; max-width: 28rem; margin: 2rem auto; }}
.alert {{ color: #a2261b; }}</style></head>
<body><main><h1>Banxo — {title}</h1>{body}</main></body></html>"""

_FORM = """{alert}<form method="post" action="/authorize">{hidden}
<p><label for="login">Identifiant</label><br>
<input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Mot de passe</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required>
</p><p><button type="submit">Se connecter</button></p></form>"""


def _form(params: dict[str, str], *, error: str = "", status: int = 200) -> web.Response:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in params.items()
    )
    alert = f'<p role="alert" class="alert">{html.escape(error)}</p>' if error else ""
    body = _PAGE.format(
        title="connexion du personnel", body=_FORM.format(alert=alert, hidden=hidden)
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _error_page(text: str) -> web.HTTPBadRequest:
    body = _PAGE.format(title="erreur", body=f"<p>{html.escape(text)}</p>")
    return web.HTTPBadRequest(text=body, content_type="text/html")


def _oauth_error(error: str, description: str = "") -> web.Response:
    body = {"error": error} | ({"error_description": description} if description else {})
    return web.json_response(body, status=400, headers={"Cache-Control": "no-store"})


def _config(request: web.Request) -> IdpConfig:
    return request.app[CONFIG]
