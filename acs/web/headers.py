"""The back office's identity header (``X-Advisor-Id``, a dev stand-in for the staff's SSO).

The customers' calls carry identity-provider tokens instead (:mod:`acs.flows.tokens`)."""

from __future__ import annotations

from aiohttp import web

from acs.flows.securpass.errors import InvalidRequest

__all__ = ["identity_header"]


def identity_header(
    request: web.Request, name: str, *, max_length: int, reason: str, says: str
) -> str:
    """The header's value, stripped; a 400 ``reason`` when it is missing, blank or too long."""
    value = request.headers.get(name, "").strip()
    if not value or len(value) > max_length:
        raise InvalidRequest(reason, f"{name} {says}")
    return value
