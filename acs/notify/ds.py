"""The Directory Server gateway: POST a message (RReq, Erro) to a dsURL over HTTPS.

Each RReq is sent with the client certificate of its card range's scheme (``[schemes.<name>]
rreq_client_cert``/``rreq_client_key``, :func:`client_contexts`); a scheme without one sends
none. The DS's own certificate is checked against the system's trust store (``SSL_CERT_FILE``
adds a scheme's root). An RReq waits ``results_read_timeout_seconds`` to connect and again to
read the answer; an Erro, which expects none, waits that long in all. What the answer means is
the caller's business (:mod:`acs.flows.results`).

Errors::

    DsError             base
    ├── DsTimeout       no connection or no answer in time (Req 242: answer with Erro 402)
    └── DsUnreachable   the connection failed; ``detail`` names the aiohttp error
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import aiohttp

from acs.config import Settings

__all__ = [
    "DsAnswer",
    "DsClient",
    "DsError",
    "DsTimeout",
    "DsUnreachable",
    "client_contexts",
    "open_session",
]


class DsError(Exception):
    """The message did not reach the DS, or its answer did not come back."""


class DsTimeout(DsError):
    """No connection or no answer within the read timeout."""


class DsUnreachable(DsError):
    """The connection failed; ``detail`` is the name of the aiohttp error."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class DsAnswer:
    """The HTTP answer of the DS."""

    status: int
    body: bytes


def client_contexts(settings: Settings) -> dict[str, ssl.SSLContext]:
    """The TLS context of each scheme with an RReq client certificate, by scheme name."""
    contexts = {}
    for scheme, table in settings.schemes.items():
        if table.rreq_client_cert:
            context = ssl.create_default_context()
            context.load_cert_chain(table.rreq_client_cert, table.rreq_client_key or None)
            contexts[str(scheme)] = context
    return contexts


def open_session() -> aiohttp.ClientSession:
    """The HTTP client session of this process's DS calls (close it on shutdown)."""
    return aiohttp.ClientSession()


class DsClient:
    """Posts messages to a DS through ``http``, each attempt bounded by ``timeout_seconds``."""

    def __init__(
        self, http: aiohttp.ClientSession, *, timeout_seconds: float,
        contexts: dict[str, ssl.SSLContext] | None = None,
    ) -> None:  # fmt: skip
        self.http, self.timeout_seconds = http, timeout_seconds
        self.contexts = contexts or {}

    def _tls(self, scheme: str | None) -> ssl.SSLContext | bool:
        """The scheme's client-certificate context, or default verification without one."""
        return self.contexts.get(scheme or "", True)

    async def post(
        self, url: str, message: dict[str, Any], *, scheme: str | None = None
    ) -> DsAnswer:
        """POST ``message`` with ``scheme``'s client certificate and read the answer; raise
        :class:`DsTimeout` or :class:`DsUnreachable`."""
        timeout = aiohttp.ClientTimeout(
            sock_connect=self.timeout_seconds, sock_read=self.timeout_seconds
        )
        tls = self._tls(scheme)
        try:
            async with self.http.post(url, json=message, timeout=timeout, ssl=tls) as response:
                return DsAnswer(response.status, await response.read())
        except TimeoutError:
            raise DsTimeout(url) from None
        except aiohttp.ClientError as exc:
            raise DsUnreachable(exc.__class__.__name__) from None

    async def tell(self, url: str, message: dict[str, Any], *, scheme: str | None = None) -> bool:
        """POST ``message`` expecting no answer (an Erro); whether it was delivered."""
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
            tls = self._tls(scheme)
            async with self.http.post(url, json=message, timeout=timeout, ssl=tls):
                pass
        except (TimeoutError, aiohttp.ClientError):
            return False
        return True
