"""The ``Authorization: Bearer <token>`` of a request (RFC 6750 §2.1), or None."""

from __future__ import annotations

from aiohttp import web

__all__ = ["bearer_token"]


def bearer_token(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (scheme case-insensitive), or None."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
