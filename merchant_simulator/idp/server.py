"""Serve the identity provider on a port, its issuer being the URL it listens at."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from merchant_simulator.idp.app import JWKS_PATH, create_idp_app
from merchant_simulator.idp.config import IdpConfig

__all__ = ["DEFAULT_IDP_PORT", "RunningIdp", "start_idp"]

DEFAULT_IDP_PORT = 8104


@dataclass(frozen=True)
class RunningIdp:
    """A started identity provider: ``url`` is its issuer, ``close()`` stops it."""

    url: str
    app: web.Application
    close: Callable[[], Awaitable[None]]

    @property
    def jwks_url(self) -> str:
        return self.url + JWKS_PATH


async def start_idp(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_IDP_PORT,
    clock: Callable[[], float] | None = None,
    **options: Any,
) -> RunningIdp:
    """Start on ``port`` (0: a free one); ``options`` are :class:`IdpConfig` fields.

    The socket is bound first: the issuer (``iss``) is the URL with the real port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    url = f"http://{host}:{sock.getsockname()[1]}"
    config = dataclasses.replace(IdpConfig(issuer=url), **options)
    app = create_idp_app(config, clock=clock or time.time)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return RunningIdp(url, app, runner.cleanup)
