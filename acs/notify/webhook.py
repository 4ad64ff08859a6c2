"""A JSON webhook client shared by the SMS and push gateways (one session, bearer token)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

__all__ = ["JsonWebhook", "WebhookFailed"]


class WebhookFailed(Exception):
    """The endpoint could not be reached, timed out, or answered an HTTP error."""


class JsonWebhook:
    def __init__(self, url: str, *, token: str = "", timeout: float = 5.0) -> None:
        self._url, self._timeout = url, aiohttp.ClientTimeout(total=timeout)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._session: aiohttp.ClientSession | None = None

    async def post(self, body: Mapping[str, Any]) -> None:
        """POST ``body`` as JSON; raise :class:`WebhookFailed` unless the answer is 2xx."""
        self._session = self._session or aiohttp.ClientSession()
        try:
            async with self._session.post(
                self._url, json=dict(body), headers=self._headers, timeout=self._timeout
            ) as response:
                if response.status >= 300:
                    raise WebhookFailed(f"endpoint answered HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WebhookFailed(f"endpoint unreachable: {exc.__class__.__name__}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
