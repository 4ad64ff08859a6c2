"""Helpers for the challenge tests: send an AReq pointing at the fake DS, read forms."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from acs.protocol import b64url_decode, b64url_encode, validate_outgoing
from tests.areqs import areq

SECURPASS_CARD = "4970100000000014"  # Camille: can enrol in Sécur'Pass, mobile +33612345678
SMS_CARD = "4970100000000022"  # Louis: SMS only, +33698765432
SMS_MOBILE = "+33698765432"
CAMILLE_MOBILE = "+33612345678"
VERSIONS = ("2.1.0", "2.2.0", "2.3.1")


async def start(client, ds_url: str, *, version="2.2.0", channel="browser", pan=SMS_CARD, **kw):
    """POST an AReq of 41,99 EUR at showroomprive.com; (areq, ares)."""
    message = areq(version, channel, "pa", acctNumber=pan, dsURL=ds_url, **kw)
    message.update(purchaseAmount="4199", purchaseCurrency="978", purchaseExponent="2")
    message["merchantName"] = "showroomprive.com"
    response = await client.post("/3ds/areq", json=message)
    ares = await response.json()
    validate_outgoing(ares)
    return message, ares


def creq_for(areq_msg: dict[str, Any], ares: dict[str, Any], **extra: Any) -> dict[str, Any]:
    creq = {
        "threeDSServerTransID": areq_msg["threeDSServerTransID"],
        "acsTransID": ares["acsTransID"],
        "messageType": "CReq",
        "messageVersion": areq_msg["messageVersion"],
        "challengeWindowSize": "02",
    }
    return {**creq, **extra}


def encode(message: dict[str, Any], padded: bool = False) -> str:
    text = b64url_encode(json.dumps(message).encode())
    return text + "=" * (-len(text) % 4) if padded else text


def form_fields(page: str) -> dict[str, str]:
    """name → value of the hidden/text inputs of an HTML page."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def form_action(page: str, index: int | str = 0) -> str:
    """The action of the page's ``index``-th form, or of the form posting to ``…/<index>``."""
    actions = [html.unescape(a) for a in re.findall(r'<form[^>]*action="([^"]*)"', page)]
    if isinstance(index, str):
        return next(a for a in actions if a.endswith(f"/{index}"))
    return actions[index]


def final_cres(page: str) -> dict[str, Any]:
    """The CRes auto-posted by the final page, decoded and schema-checked."""
    cres = json.loads(b64url_decode(form_fields(page)["cres"]))
    validate_outgoing(cres)
    return cres


def otp_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)
