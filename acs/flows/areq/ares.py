"""Build the ARes from the AReq facts and the risk decision (pure; strict output).

Version differences handled here: authenticationType (2.1/2.2) versus the authenticationMethod
array (2.3.1), cardholderInfo string versus object, transChallengeExemption only in 2.3.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acs.flows.areq.facts import AReqFacts
from acs.protocol.codes import (
    DeviceChannel,
    TransChallengeExemption,
    TransStatus,
    TransStatusReason,
)
from acs.protocol.messages import ARes, CardholderInfo, RenderingType
from acs.protocol.methods import authentication_codes
from acs.risk import Decision

__all__ = ["DECOUPLED_TEXT", "AResContext", "AppChallenge", "build_ares"]

DECOUPLED_TEXT = "Validez le paiement dans votre appli Banxo"


@dataclass(frozen=True)
class AppChallenge:
    """What an app challenge adds to the ARes: the signed content and how the SDK renders it."""

    acs_signed_content: str
    acs_rendering_type: RenderingType


@dataclass(frozen=True)
class AResContext:
    acs_trans_id: str
    acs_reference_number: str
    acs_operator_id: str
    acs_url: str | None = None  # browser challenge page
    authentication_value: str | None = None
    eci: str | None = None
    app_challenge: AppChallenge | None = None


def build_ares(facts: AReqFacts, decision: Decision, ctx: AResContext) -> ARes:
    status = TransStatus(decision.trans_status)
    challenge = status in (TransStatus.CHALLENGE_REQUIRED, TransStatus.DECOUPLED)
    return ARes(
        message_version=facts.version,
        three_ds_server_trans_id=facts.three_ds_server_trans_id,
        ds_trans_id=facts.ds_trans_id,
        acs_trans_id=ctx.acs_trans_id,
        acs_reference_number=ctx.acs_reference_number,
        acs_operator_id=ctx.acs_operator_id,
        ds_reference_number=facts.ds_reference_number,
        sdk_trans_id=facts.sdk_trans_id if facts.device_channel == DeviceChannel.APP else None,
        trans_status=status,
        trans_status_reason=TransStatusReason(decision.reason) if decision.reason else None,
        authentication_value=ctx.authentication_value,
        eci=ctx.eci,
        trans_challenge_exemption=_exemption(facts, decision),
        **(_challenge_fields(facts, decision, ctx) if challenge else {}),
    )


def _exemption(facts: AReqFacts, decision: Decision) -> TransChallengeExemption | None:
    if facts.version != "2.3.1" or not decision.exemption:
        return None
    return TransChallengeExemption(decision.exemption)


def _challenge_fields(facts: AReqFacts, decision: Decision, ctx: AResContext) -> dict[str, Any]:
    assert decision.challenge_method is not None  # the risk engine names it for C and D
    auth_type, auth_method = authentication_codes(decision.challenge_method, facts.version)
    fields: dict[str, Any] = {
        "acs_challenge_mandated": "Y" if decision.challenge_mandated else "N",
        "authentication_type": auth_type,
        "authentication_method": auth_method,
    }
    if decision.trans_status == TransStatus.DECOUPLED:
        fields["acs_dec_con_ind"] = "Y"
        fields["cardholder_info"] = _cardholder_info(DECOUPLED_TEXT, facts.version)
    elif facts.device_channel == DeviceChannel.BROWSER:
        fields["acs_url"] = ctx.acs_url
    elif ctx.app_challenge:
        fields["acs_signed_content"] = ctx.app_challenge.acs_signed_content
        fields["acs_rendering_type"] = ctx.app_challenge.acs_rendering_type
    return fields


def _cardholder_info(text: str, version: str) -> str | CardholderInfo:
    return CardholderInfo(text=text) if version == "2.3.1" else text
