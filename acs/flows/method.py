"""3DS Method (§1.7): read ``threeDSMethodData``, keep the browser data, link it to the AReq.

The method page posts back what its script collected (screen, colour depth, time zone, language,
platform); a SHA-256 over the canonical JSON of those fields is the browser's fingerprint. An
AReq with ``threeDSCompInd`` Y finds the data by threeDSServerTransID (2.3.1: ``threeDSMethodId``
when the run is reused) and tells the risk engine whether the customer succeeded before with
that browser (``CustomerFacts.browser_known``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from acs.protocol import Base64Error, DeviceChannel, b64url_decode, b64url_encode
from acs.storage import method_data
from acs.storage.engine import Session

__all__ = [
    "DEVICE_FIELDS",
    "BrowserFacts",
    "MethodDataInvalid",
    "MethodRequest",
    "browser_facts",
    "method_run_id",
    "notification_data",
    "read_method_data",
    "store_device_data",
]

DEVICE_FIELDS = ("screenWidth", "screenHeight", "colorDepth", "timeZone", "language", "platform")
_MAX_FIELD = 64


class MethodReader(Protocol):
    """The two reads an AReq makes of method data (:class:`acs.storage.areq_store.AReqStore`)."""

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None: ...

    async def browser_known(self, customer_id: str, fingerprint: str) -> bool: ...


class MethodDataInvalid(ValueError):
    """threeDSMethodData is not base64url JSON with the two required fields."""


@dataclass(frozen=True)
class MethodRequest:
    three_ds_server_trans_id: str
    notification_url: str


@dataclass(frozen=True)
class BrowserFacts:
    fingerprint: str | None = None
    known: bool | None = None  # None: no method data for this AReq


def read_method_data(value: str) -> MethodRequest:
    """Decode the form field (padded or not) and check its two fields."""
    try:
        data = json.loads(b64url_decode(value))
    except (Base64Error, ValueError, UnicodeDecodeError):
        raise MethodDataInvalid("threeDSMethodData is not base64url JSON") from None
    if not isinstance(data, dict):
        raise MethodDataInvalid("threeDSMethodData is not a JSON object")
    trans_id, url = data.get("threeDSServerTransID"), data.get("threeDSMethodNotificationURL")
    if not isinstance(trans_id, str) or not 1 <= len(trans_id) <= 36:
        raise MethodDataInvalid("threeDSServerTransID")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise MethodDataInvalid("threeDSMethodNotificationURL")
    return MethodRequest(trans_id, url)


def notification_data(three_ds_server_trans_id: str) -> str:
    """What goes back to the notification URL: base64url of ``{"threeDSServerTransID"}``."""
    body = json.dumps({"threeDSServerTransID": three_ds_server_trans_id}, separators=(",", ":"))
    return b64url_encode(body.encode())


def device_data(form: Mapping[str, str]) -> dict[str, str]:
    """The collected fields, each cut to a sane length; unknown fields ignored."""
    return {k: str(form[k])[:_MAX_FIELD] for k in DEVICE_FIELDS if form.get(k)}


def fingerprint_of(device: Mapping[str, str]) -> str:
    canonical = json.dumps(dict(sorted(device.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def store_device_data(
    session: Session,
    three_ds_server_trans_id: str,
    form: Mapping[str, str],
    *,
    now: datetime,
    ttl: timedelta,
) -> str:
    """Keep the data of this method run for ``ttl``; its fingerprint."""
    device = device_data(form)
    fingerprint = fingerprint_of(device)
    await method_data.put(
        session, three_ds_server_trans_id, fingerprint=fingerprint, device=device,
        now=now, ttl=ttl,
    )  # fmt: skip
    return fingerprint


def method_run_id(message: Mapping[str, Any]) -> str | None:
    """The 3DS Method run whose data this AReq links to: a browser AReq that says the method
    completed (threeDSCompInd Y) names it by threeDSMethodId or its threeDSServerTransID."""
    if (
        message.get("deviceChannel") != DeviceChannel.BROWSER
        or message.get("threeDSCompInd") != "Y"
    ):
        return None
    return str(message.get("threeDSMethodId") or message.get("threeDSServerTransID"))


async def browser_facts(
    store: MethodReader, message: Mapping[str, Any], customer_id: str | None, now: datetime
) -> BrowserFacts:
    """The method data linked to this AReq, and whether the customer knows that browser."""
    run_id = method_run_id(message)
    if run_id is None:
        return BrowserFacts()
    fingerprint = await store.method_fingerprint(run_id, now)
    if fingerprint is None:
        return BrowserFacts()
    if customer_id is None:
        return BrowserFacts(fingerprint, None)
    return BrowserFacts(fingerprint, await store.browser_known(customer_id, fingerprint))
