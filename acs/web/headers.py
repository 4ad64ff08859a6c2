"""The identity headers of the JSON APIs: the bearer token of the bank's identity provider
(customers, :mod:`acs.flows.tokens`), and ``X-Advisor-Id`` (the back office's dev stand-in for
the staff's SSO, until staff tokens replace it)."""

from __future__ import annotations

from aiohttp import web

from acs.flows.securpass.errors import InvalidRequest

__all__ = ["bearer_token", "identity_header"]


def bearer_token(request: web.Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when absent or another scheme (the
    verifier then answers token_missing)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def identity_header(
    request: web.Request, name: str, *, max_length: int, reason: str, says: str
) -> str:
    """The header's value, stripped; a 400 ``reason`` when it is missing, blank or too long."""
    value = request.headers.get(name, "").strip()
    if not value or len(value) > max_length:
        raise InvalidRequest(reason, f"{name} {says}")
    return value
