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

from acs.notify.webhook import JsonWebhook, WebhookFailed

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
        self._hook = JsonWebhook(url, token=token, timeout=timeout)

    async def send(self, push: Push) -> None:
        """Best effort: a failed push is logged; the phone also finds operations by polling."""
        body = {
            "push_token": push.push_token,
            "operation_id": push.operation_id,
            "title": push.title,
        }
        try:
            await self._hook.post(body)
        except WebhookFailed as exc:
            log.warning("push relay: %s", exc)

    async def close(self) -> None:
        await self._hook.close()
