"""The bank's back end, as the banking callbacks reach it: one HTTP POST of signed JSON.

Raises :class:`CallbackFailed` for anything but a 2xx (unreachable, timed out, HTTP error), with
a short outcome label for the attempt's record; redirects are not followed (a callback goes to
the configured URL or nowhere).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

__all__ = ["BankClient", "CallbackFailed", "open_session"]


class CallbackFailed(Exception):
    """The bank's endpoint did not take the callback; ``outcome`` labels why."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def open_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


class BankClient:
    def __init__(self, http: aiohttp.ClientSession, *, timeout_seconds: float) -> None:
        self.http, self.timeout = http, aiohttp.ClientTimeout(total=timeout_seconds)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` (JSON) to ``url``; the 2xx status, else :class:`CallbackFailed`."""
        sent = {"Content-Type": "application/json", **headers}
        try:
            async with self.http.post(
                url, data=body, headers=sent, timeout=self.timeout, allow_redirects=False
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    raise CallbackFailed(f"http_{response.status}")
                return response.status
        except TimeoutError:
            raise CallbackFailed("timeout") from None
        except aiohttp.ClientError as exc:
            raise CallbackFailed(f"unreachable: {type(exc).__name__}") from None
