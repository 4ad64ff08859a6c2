"""Push gateways: wake the cardholder's phone when an operation waits for it (SP-51).

A push carries only the operation id and a generic text: the phone fetches the operation with a
signed call, so nothing sensitive crosses the push provider.

- :class:`LogPush` (dev default): writes one log line per push (device id, operation id).
- :class:`WebhookPush`: POSTs ``{"push_token", "operation_id", "title"}`` to a push relay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import aiohttp

__all__ = ["LogPush", "Push", "PushGateway", "WebhookPush"]

log = logging.getLogger("acs.notify.push")


@dataclass(frozen=True)
class Push:
    device_id: str
    push_token: str
    operation_id: str
    title: str = "Banxo : une opération attend votre validation"


class PushGateway(Protocol):
    async def send(self, push: Push) -> None: ...


class LogPush:
    def __init__(self) -> None:
        self.sent: list[Push] = []

    async def send(self, push: Push) -> None:
        self.sent.append(push)
        log.info("push to device %s for operation %s", push.device_id, push.operation_id)


class WebhookPush:
    def __init__(self, url: str, *, token: str = "", timeout: float = 5.0) -> None:
        self._url, self._token, self._timeout = url, token, timeout
        self._session: aiohttp.ClientSession | None = None

    async def send(self, push: Push) -> None:
        """Best effort: a failed push is logged; the phone also finds operations by polling."""
        session = self._session or aiohttp.ClientSession()
        self._session = session
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        body = {
            "push_token": push.push_token,
            "operation_id": push.operation_id,
            "title": push.title,
        }
        try:
            async with session.post(
                self._url,
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                if response.status >= 300:
                    log.warning("push relay answered HTTP %s", response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("push relay unreachable: %s", exc.__class__.__name__)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
