"""SMS gateways: how an activation code or an OTP reaches the cardholder's secure mobile.

- :class:`OutboxSms` (dev default): keeps the last messages in memory, where the simulated phone
  reads them (``GET /dev/sms``, served only when this gateway is configured). Nothing is logged
  or stored on disk: the texts carry one-time codes.
- :class:`WebhookSms`: POSTs ``{"to", "text", "purpose", "reference"}`` as JSON to a real SMS
  provider's endpoint (``sms_webhook_url``), with an optional bearer token.

Gateways raise :class:`SmsNotSent` when the message could not be handed over.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from acs.notify.webhook import JsonWebhook, WebhookFailed

__all__ = ["OutboxSms", "Sms", "SmsGateway", "SmsNotSent", "WebhookSms"]


class SmsNotSent(Exception):
    """The gateway did not accept the message."""


@dataclass(frozen=True)
class Sms:
    to: str  # E.164 secure mobile number
    text: str
    purpose: str  # "activation" | "otp"
    reference: str  # enrolment id or acsTransID, for the provider's reports
    at: datetime


class SmsGateway(Protocol):
    async def send(self, sms: Sms) -> None: ...


class OutboxSms:
    """An in-memory outbox the simulated phone reads; for development and tests only."""

    def __init__(self, size: int = 500) -> None:
        self._messages: deque[Sms] = deque(maxlen=size)
        self._arrived = asyncio.Condition()

    async def send(self, sms: Sms) -> None:
        async with self._arrived:
            self._messages.append(sms)
            self._arrived.notify_all()

    def inbox(self, to: str) -> list[Sms]:
        """Messages sent to ``to``, newest last."""
        return [m for m in self._messages if m.to == to]

    async def wait_for(self, to: str, count: int, timeout: float = 5.0) -> list[Sms]:
        """Wait until ``to`` has at least ``count`` messages (tests and the phone page)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.inbox(to)) >= count), timeout
            )
        return self.inbox(to)


class WebhookSms:
    """Hand messages to an SMS provider over HTTPS."""

    def __init__(self, url: str, *, token: str = "", timeout: float = 5.0) -> None:
        self._hook = JsonWebhook(url, token=token, timeout=timeout)

    async def send(self, sms: Sms) -> None:
        body = {"to": sms.to, "text": sms.text, "purpose": sms.purpose, "reference": sms.reference}
        try:
            await self._hook.post(body)
        except WebhookFailed as exc:
            raise SmsNotSent(str(exc)) from None

    async def close(self) -> None:
        await self._hook.close()
