"""The back office in the browser (``/backoffice/``): login, sessions, CSRF, logout.

Staff log in through the bank's identity provider (OpenID Connect authorisation code with
PKCE, :mod:`acs.flows.backoffice.login`). The session cookie is ``HttpOnly``,
``SameSite=Strict`` and ``Secure`` over TLS; the short-lived login cookie that binds a login's
``state`` to the browser is ``SameSite=Lax`` (the provider's redirect back is a cross-site
navigation, which a Strict cookie would not follow). Every page goes through :func:`page`:
no session → the login (GET) or 401 (POST); a POST must carry the session's CSRF token in the
form field ``csrf`` and, when the browser sends one, an ``Origin`` that is the ACS's (403).
The JSON API (``/backoffice/v1``, bearer staff tokens) is :mod:`acs.web.advisor`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from acs.auth import KeysUnavailable, TokenRejected
from acs.auth.errors import LoginFailed, RoleForbidden
from acs.auth.staff import Role
from acs.flows.backoffice.login import (
    StaffSession,
    begin_login,
    complete_login,
    current_session,
    logout,
)
from acs.flows.securpass.errors import (
    InvalidRequest,
    NotEligible,
    SecurPassFlowError,
    UnknownResource,
)
from acs.securpass.errors import SecurPassError
from acs.web.backoffice_pages import render
from acs.web.keys import CLOCK, OIDC, SESSIONS, SETTINGS, TOKENS

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "PageHandler",
    "flow_status",
    "message",
    "page",
    "role_label",
    "routes",
    "view",
]

log = logging.getLogger("acs.web.backoffice")

SESSION_COOKIE = "bo_session"
LOGIN_COOKIE = "bo_login"
HOME = "/backoffice/"
CALLBACK = "/backoffice/callback"

ROLE_LABELS = {
    Role.ADVISOR: "conseiller",
    Role.FRAUD_ANALYST: "analyste fraude",
    Role.AUDITOR: "auditeur",
    Role.ADMIN: "administrateur",
}

PageHandler = Callable[[web.Request, StaffSession], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(Role(role), str(role))


def view(
    template: str, current: StaffSession | None, *, status: int = 200, **context: Any
) -> web.Response:
    return render(template, status=status, current=current, role_label=role_label, **context)


def message(
    title: str, text: str, *, status: int, current: StaffSession | None = None, **context: Any
) -> web.Response:
    context.setdefault("link", HOME)
    context.setdefault("link_text", "Retour à l'accueil du back office")
    context.setdefault("error", status >= 400)
    context.setdefault("detail", None)
    context.setdefault("refresh", None)
    return view("bo_message.html", current, status=status, title=title, message=text, **context)


def page(handler: PageHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The guard of every back-office page: a live session, and for a POST its CSRF token."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        app = request.app
        current = await current_session(
            app[SESSIONS],
            request.cookies.get(SESSION_COOKIE),
            provider=app[SETTINGS].identity_provider,
            now=app[CLOCK].now(),
        )
        if current is None:
            if request.method == "GET":
                raise web.HTTPFound(f"/backoffice/login?{urlencode({'suite': request.path_qs})}")
            return message(
                "Session expirée",
                "Votre session a expiré ou vous n'êtes pas connecté : reconnectez-vous.",
                status=401,
                link="/backoffice/login",
                link_text="Se connecter",
            )
        if request.method == "POST" and not await _csrf_ok(request, current):
            log.info("back office: CSRF refusal for staff:%s", current.staff.staff_id)
            return message(
                "Formulaire refusé",
                "Ce formulaire n'est pas valide (jeton de sécurité absent ou périmé). "
                "Rechargez la page et recommencez.",
                status=403,
                current=current,
            )
        try:
            return await handler(request, current)
        except RoleForbidden as exc:
            return message(
                "Action non autorisée",
                f"Votre rôle ({role_label(current.staff.role)}) ne permet pas cette action.",
                status=403,
                current=current,
                detail=f"role_forbidden: {exc.action}",
            )
        except UnknownResource as exc:
            return message("Introuvable", exc.message, status=404, current=current)
        except SecurPassFlowError as exc:
            unmet = exc.extra.get("unmet") or []
            detail = " ; ".join(f"{u['rule']} : {u['message']}" for u in unmet) or None
            return message("Action refusée", exc.message, status=flow_status(exc),
                           current=current, detail=detail)  # fmt: skip
        except SecurPassError as exc:
            return message("Action refusée", str(exc), status=422, current=current)

    return guarded


def flow_status(exc: SecurPassFlowError) -> int:
    """The HTTP status of a flow's refusal on a page (as the JSON API answers it)."""
    if isinstance(exc, UnknownResource):
        return 404
    if isinstance(exc, InvalidRequest):
        return 400
    return 422 if isinstance(exc, NotEligible) else 409


async def _csrf_ok(request: web.Request, current: StaffSession) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and origin != _origin(request):
        return False
    form = await request.post()
    token = form.get("csrf")
    if not isinstance(token, str):
        return False
    return hmac.compare_digest(token.encode(), current.csrf_token.encode())


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def next_path(asked: str | None) -> str:
    """Where to go after the login: a back-office page of this ACS, never another site."""
    if not asked or len(asked) > 256 or not asked.startswith(HOME) or "//" in asked:
        return HOME
    if any(c in asked for c in "\\\r\n") or not asked.isprintable():
        return HOME
    return asked


def redirect_uri(request: web.Request) -> str:
    configured = request.app[SETTINGS].identity_provider.staff_redirect_uri
    return configured or _origin(request) + CALLBACK


@routes.get("/backoffice/login")
async def login(request: web.Request) -> web.StreamResponse:
    """Send the browser to the identity provider, the login bound to it by a cookie."""
    app = request.app
    try:
        start = await begin_login(
            app[SESSIONS], app[OIDC], redirect_uri=redirect_uri(request), now=app[CLOCK].now(),
            next_path=next_path(request.query.get("suite")),
        )  # fmt: skip
    except LoginFailed as exc:
        log.warning("back office login: %s", exc)
        return _login_refused(exc.reason, 503)
    response = web.HTTPFound(start.url)
    _set_cookie(request, response, LOGIN_COOKIE, start.browser, samesite="Lax", path=CALLBACK)
    raise response


@routes.get(CALLBACK)
async def callback(request: web.Request) -> web.StreamResponse:
    """The identity provider's redirect back: code and state → a session (or a refusal)."""
    app, query = request.app, request.query
    if "error" in query:
        return _login_refused("provider_error", 401, detail=query.get("error", "")[:64])
    state, code = query.get("state"), query.get("code")
    if not state or not code:
        return _login_refused("malformed_callback", 400)
    try:
        new = await complete_login(
            app[SESSIONS], app[OIDC], app[TOKENS],
            state=state, code=code, browser=request.cookies.get(LOGIN_COOKIE),
            now=app[CLOCK].now(),
        )  # fmt: skip
    except LoginFailed as exc:
        log.info("back office login refused: %s", exc)
        return _login_refused(exc.reason, 503 if exc.reason == "provider_unreachable" else 401)
    except TokenRejected as exc:
        log.info("back office login refused: %s", exc)
        return _login_refused(str(exc.reason), 401)
    except KeysUnavailable:
        return _login_refused("identity_provider_unavailable", 503)
    # A page, not a redirect: the Strict session cookie is then sent by a same-site navigation.
    response = message(
        "Connexion réussie",
        f"Bienvenue, {new.session.staff.staff_id}.",
        status=200,
        current=new.session,
        refresh=new.next_path,
        link=new.next_path,
        link_text="Continuer vers le back office",
    )
    _set_cookie(request, response, SESSION_COOKIE, new.cookie, samesite="Strict", path=HOME)
    response.del_cookie(LOGIN_COOKIE, path=CALLBACK)
    return response


@routes.post("/backoffice/logout")
@page
async def logout_page(request: web.Request, current: StaffSession) -> web.StreamResponse:
    await logout(request.app[SESSIONS], current, now=request.app[CLOCK].now())
    response = message(
        "Vous êtes déconnecté",
        "Votre session est terminée.",
        status=200,
        link="/backoffice/login",
        link_text="Se reconnecter",
    )
    response.del_cookie(SESSION_COOKIE, path=HOME)
    return response


@routes.get(HOME)
@page
async def home(request: web.Request, current: StaffSession) -> web.StreamResponse:
    return view("bo_home.html", current, query="")


def _login_refused(reason: str, status: int, *, detail: str | None = None) -> web.Response:
    return message(
        "Connexion refusée",
        "La connexion au back office n'a pas abouti. Recommencez ; si cela se reproduit, "
        "signalez-le au support.",
        status=status,
        detail=f"{reason}{': ' + detail if detail else ''}",
        link="/backoffice/login",
        link_text="Recommencer la connexion",
    )


def _set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, *,
    samesite: str, path: str,
) -> None:  # fmt: skip
    response.set_cookie(
        name, value, path=path, httponly=True, secure=request.secure, samesite=samesite
    )
