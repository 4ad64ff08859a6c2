"""The Directory Server gateway: POST a message (RReq, Erro) to a dsURL over HTTPS.

The ACS presents its client certificate when one is configured (``ds_client_cert``). An RReq
waits ``results_read_timeout_seconds`` to connect and again to read the answer; an Erro, which
expects none, waits that long in all. What the answer means is the caller's business
(:mod:`acs.flows.results`).

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
    "client_ssl",
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


def client_ssl(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context presenting the ACS client certificate to the DS, when configured."""
    # Interim (issue #11, listeners work): the certificate becomes per scheme (rreq_client_cert).
    configured = [s for s in settings.schemes.values() if s.rreq_client_cert]
    if not configured:
        return None
    context = ssl.create_default_context()
    context.load_cert_chain(configured[0].rreq_client_cert, configured[0].rreq_client_key or None)
    return context


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """The HTTP client session of this process's DS calls (close it on shutdown)."""
    ssl_context = client_ssl(settings)
    connector = aiohttp.TCPConnector(ssl=ssl_context) if ssl_context else None
    return aiohttp.ClientSession(connector=connector)


class DsClient:
    """Posts messages to a DS through ``http``, each attempt bounded by ``timeout_seconds``."""

    def __init__(self, http: aiohttp.ClientSession, *, timeout_seconds: float) -> None:
        self.http, self.timeout_seconds = http, timeout_seconds

    async def post(self, url: str, message: dict[str, Any]) -> DsAnswer:
        """POST ``message`` and read the answer; raise :class:`DsTimeout` or
        :class:`DsUnreachable`."""
        timeout = aiohttp.ClientTimeout(
            sock_connect=self.timeout_seconds, sock_read=self.timeout_seconds
        )
        try:
            async with self.http.post(url, json=message, timeout=timeout) as response:
                return DsAnswer(response.status, await response.read())
        except TimeoutError:
            raise DsTimeout(url) from None
        except aiohttp.ClientError as exc:
            raise DsUnreachable(exc.__class__.__name__) from None

    async def tell(self, url: str, message: dict[str, Any]) -> bool:
        """POST ``message`` expecting no answer (an Erro); whether it was delivered."""
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
            async with self.http.post(url, json=message, timeout=timeout):
                pass
        except (TimeoutError, aiohttp.ClientError):
            return False
        return True
