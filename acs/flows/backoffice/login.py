"""Staff login to the back office and its sessions (docs/backoffice.md, "Login", "Sessions").

:func:`begin_login` keeps a login (``state`` and the browser it belongs to, ``nonce``, PKCE
verifier) and gives the identity provider's URL; :func:`complete_login` takes that login once,
exchanges the code, checks the ID token (the ACS's verifier, then ``nonce``, then the staff
claims) and opens a session. The cookie values are random, 256 bits; only their SHA-256 is
stored. :func:`current_session` ends a session idle too long or past its absolute end.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from acs.auth import TokenVerifier
from acs.auth.errors import LoginFailed
from acs.auth.oidc import OidcClient, Pkce, authorization_url, same_nonce
from acs.auth.staff import Role, Staff, staff_of
from acs.config import IdentityProvider
from acs.flows.tokens import accept_token
from acs.storage import backoffice as store
from acs.storage.audit import append_audit
from acs.storage.engine import Session, Sessions

__all__ = [
    "LOGIN_MINUTES",
    "LoginStart",
    "NewSession",
    "StaffSession",
    "audit_staff",
    "begin_login",
    "complete_login",
    "current_session",
    "digest",
    "logout",
]

LOGIN_MINUTES = 10  # from the redirect to the identity provider to its callback


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginStart:
    """Send the browser to ``url``; bind the login to it with the cookie value ``browser``."""

    url: str
    browser: str


@dataclass(frozen=True)
class StaffSession:
    """A live back-office session: who, and the CSRF token its forms must carry."""

    staff: Staff
    csrf_token: str
    id_hash: str
    expires_at: datetime


@dataclass(frozen=True)
class NewSession:
    cookie: str  # the session cookie's value (only its hash is stored)
    session: StaffSession
    next_path: str = "/backoffice/"  # where the staff member was going


async def begin_login(
    sessions: Sessions, client: OidcClient, *, redirect_uri: str, now: datetime,
    next_path: str = "/backoffice/",
) -> LoginStart:  # fmt: skip
    """Keep a new login and build the authorisation URL (``state``, ``nonce``, PKCE S256)."""
    endpoints = await client.endpoints()
    state, nonce, browser, pkce = _random(), _random(), _random(), Pkce.new()
    async with sessions.begin() as session:
        await store.add_login(
            session,
            state_hash=digest(state),
            browser_hash=digest(browser),
            nonce=nonce,
            code_verifier=pkce.verifier,
            redirect_uri=redirect_uri,
            next_path=next_path,
            created_at=now,
            expires_at=now + timedelta(minutes=LOGIN_MINUTES),
        )
    url = authorization_url(
        endpoints.authorization,
        client_id=client.provider.staff_client_id,
        redirect_uri=redirect_uri,
        state=state,
        nonce=nonce,
        pkce=pkce,
    )
    return LoginStart(url, browser)


async def complete_login(
    sessions: Sessions,
    client: OidcClient,
    verifier: TokenVerifier,
    *,
    state: str,
    code: str,
    browser: str | None,
    now: datetime,
) -> NewSession:
    """The callback: the login taken once, the code exchanged, the ID token checked, a session.

    A ``state`` that is unknown, spent, expired or from another browser (login CSRF) is
    refused before anything is sent to the provider.
    """
    async with sessions.begin() as session:
        login = await store.take_login(session, digest(state))
    if login is None or login.expires_at <= now:
        raise LoginFailed("state_unknown", "no such login in progress: start again")
    if browser is None or not hmac.compare_digest(digest(browser), login.browser_hash):
        raise LoginFailed("state_unknown", "this login was started in another browser")
    id_token = await client.exchange(
        code, redirect_uri=login.redirect_uri, code_verifier=login.code_verifier
    )
    token = await accept_token(
        sessions, verifier, id_token, audience=client.provider.staff_client_id
    )
    same_nonce(token.claims, login.nonce)
    staff = staff_of(token)
    opened = await _open(sessions, staff, client.provider, now=now)
    return NewSession(opened.cookie, opened.session, login.next_path)


async def _open(
    sessions: Sessions, staff: Staff, provider: IdentityProvider, *, now: datetime
) -> NewSession:
    cookie, csrf = _random(), _random()
    async with sessions.begin() as session:
        row = await store.add_session(
            session,
            id_hash=digest(cookie),
            staff_id=staff.staff_id,
            role=str(staff.role),
            branch=staff.branch,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=provider.staff_session_max_hours),
        )
        await _audit(session, staff, "backoffice.login", now)
    return NewSession(cookie, StaffSession(staff, csrf, row.id_hash, row.expires_at))


async def current_session(
    sessions: Sessions, cookie: str | None, *, provider: IdentityProvider, now: datetime
) -> StaffSession | None:
    """The session of this cookie, its last use moved to ``now``; ``None`` if there is none,
    or it ended, or it was idle longer than ``staff_session_idle_minutes`` (ended then)."""
    if not cookie:
        return None
    idle = timedelta(minutes=provider.staff_session_idle_minutes)
    async with sessions.begin() as session:
        row = await store.get_session(session, digest(cookie))
        if row is None or row.ended_at is not None:
            return None
        if now >= row.expires_at or now - row.last_seen_at >= idle:
            if await store.end_session(session, row.id_hash, now=now):
                staff = Staff(row.staff_id, Role(row.role), row.branch)
                await _audit(session, staff, "backoffice.session_expired", now)
            return None
        await store.touch_session(session, row.id_hash, now=now)
        staff = Staff(row.staff_id, Role(row.role), row.branch)
    return StaffSession(staff, row.csrf_token, row.id_hash, row.expires_at)


async def logout(sessions: Sessions, current: StaffSession, *, now: datetime) -> None:
    async with sessions.begin() as session:
        if await store.end_session(session, current.id_hash, now=now):
            await _audit(session, current.staff, "backoffice.logout", now)


async def _audit(
    session: Session, staff: Staff, action: str, now: datetime, **detail: object
) -> None:
    await append_audit(
        session,
        at=now,
        actor=staff.actor,
        action=action,
        subject=staff.actor,
        detail={"role": str(staff.role), "branch": staff.branch, **detail},
    )


async def audit_staff(
    sessions: Sessions, staff: Staff, action: str, *, now: datetime, **detail: object
) -> None:
    """An event on the staff member's own chain (``staff:<id>``): logins, searches."""
    async with sessions.begin() as session:
        await _audit(session, staff, action, now, **detail)


def _random() -> str:
    return secrets.token_urlsafe(32)
