"""This 3DS Server's own URLs: from the configuration, else from the request that reached it."""

from __future__ import annotations

from aiohttp import web

from merchant_simulator.threeds_server.config import ThreeDSServerConfig

__all__ = ["own_url", "supported_versions"]


def own_url(request: web.Request, config: ThreeDSServerConfig, path: str) -> str:
    base = config.public_url or str(request.url.origin())
    return base.rstrip("/") + path


def supported_versions(notification_url: str) -> tuple[str, ...]:
    """2.3.1 requires an HTTPS notificationURL: a plain-HTTP 3DS Server stops at 2.2.0."""
    if notification_url.startswith("https://"):
        return ("2.1.0", "2.2.0", "2.3.1")
    return ("2.1.0", "2.2.0")
