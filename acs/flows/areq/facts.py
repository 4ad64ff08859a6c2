"""The AReq facts the ACS acts on, read once from a validated message.

The schema has already checked formats and conditions; this only normalises the version
differences (challengeInd string vs array, whiteList vs trustList, prior-auth object vs array).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from acs.protocol import ProtocolError

__all__ = ["AReqFacts", "read_areq"]


@dataclass(frozen=True)
class AReqFacts:
    version: str
    device_channel: str
    message_category: str
    pan: str
    three_ds_server_trans_id: str
    ds_trans_id: str
    sdk_trans_id: str | None
    ds_reference_number: str | None
    ds_url: str | None
    notification_url: str | None
    requestor_id: str | None
    merchant_name: str | None
    purchase_amount: int | None
    purchase_currency: str | None
    purchase_exponent: int | None
    challenge_inds: tuple[str, ...]
    authentication_ind: str | None
    three_ri_ind: str | None
    dec_req_ind: str | None
    dec_max_time_minutes: int | None
    trust_listed: bool
    prior_refs: tuple[tuple[str, str], ...]  # (threeDSReqPriorRef, threeDSReqPriorAuthMethod)


# The amount column is a signed 64-bit integer; the spec allows 48 digits.
MAX_AMOUNT_MINOR = 2**63 - 1


def _amount(text: str | None) -> int | None:
    """purchaseAmount in minor units; beyond what the ACS can hold is a 203 (format checked)."""
    if not text:
        return None
    if int(text) > MAX_AMOUNT_MINOR:
        raise ProtocolError.invalid(["purchaseAmount"], message_type="AReq")
    return int(text)


def read_areq(message: Mapping[str, Any], version: str) -> AReqFacts:
    amount = message.get("purchaseAmount")
    exponent = message.get("purchaseExponent")
    dec_max = message.get("threeDSRequestorDecMaxTime")
    return AReqFacts(
        version=version,
        device_channel=message["deviceChannel"],
        message_category=message["messageCategory"],
        pan=message["acctNumber"],
        three_ds_server_trans_id=message["threeDSServerTransID"],
        ds_trans_id=message["dsTransID"],
        sdk_trans_id=message.get("sdkTransID"),
        ds_reference_number=message.get("dsReferenceNumber"),
        ds_url=message.get("dsURL"),
        notification_url=message.get("notificationURL"),
        requestor_id=message.get("threeDSRequestorID"),
        merchant_name=message.get("merchantName"),
        purchase_amount=_amount(amount),
        purchase_currency=message.get("purchaseCurrency"),
        purchase_exponent=int(exponent) if exponent else None,
        challenge_inds=_as_tuple(message.get("threeDSRequestorChallengeInd")),
        authentication_ind=message.get("threeDSRequestorAuthenticationInd"),
        three_ri_ind=message.get("threeRIInd"),
        dec_req_ind=message.get("threeDSRequestorDecReqInd"),
        dec_max_time_minutes=int(dec_max) if dec_max else None,
        trust_listed=(message.get("trustListStatus") or message.get("whiteListStatus")) == "Y",
        prior_refs=tuple(
            (item.get("threeDSReqPriorRef", ""), item.get("threeDSReqPriorAuthMethod", ""))
            for item in _as_objects(message.get("threeDSRequestorPriorAuthenticationInfo"))
        ),
    )


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _as_objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value or () if isinstance(item, dict)]


def amount_in(facts: AReqFacts, currency: str, exponent: int = 2) -> int | None:
    """The purchase amount in minor units of ``currency``, or None if another currency."""
    if facts.purchase_amount is None or facts.purchase_currency != currency:
        return None
    shift = exponent - (facts.purchase_exponent or 0)
    if shift >= 0:
        return facts.purchase_amount * 10**shift
    return -(-facts.purchase_amount // 10**-shift)  # round up: never under-count an amount
