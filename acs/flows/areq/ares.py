"""Build the ARes from the AReq facts and the risk decision (pure; strict output).

Version differences handled here: authenticationType (2.1/2.2) versus the authenticationMethod
array (2.3.1), cardholderInfo string versus object, transChallengeExemption only in 2.3.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acs.flows.areq.facts import AReqFacts
from acs.risk import ChallengeMethod, Decision

__all__ = ["DECOUPLED_TEXT", "AResContext", "build_ares"]

DECOUPLED_TEXT = "Validez le paiement dans votre appli Banxo"

# authenticationType (2.1/2.2) and authenticationMethod (2.3.1) per challenge method.
# Sécur'Pass is an out-of-band approval (code or biometrics on the phone): OOB "03" / method
# "09" (OOB other) since the cardholder picks code or biometrics only on the phone.
_AUTH_TYPE = {
    ChallengeMethod.SECURPASS_OOB: "03",
    ChallengeMethod.SMS_OTP: "02",
    ChallengeMethod.DECOUPLED: "04",
}
_AUTH_METHOD = {
    ChallengeMethod.SECURPASS_OOB: "09",
    ChallengeMethod.SMS_OTP: "02",
    ChallengeMethod.DECOUPLED: "12",
}


@dataclass(frozen=True)
class AResContext:
    acs_trans_id: str
    acs_reference_number: str
    acs_operator_id: str
    acs_url: str | None = None  # browser challenge page
    authentication_value: str | None = None
    eci: str | None = None
    app_challenge: dict[str, Any] | None = None  # acsSignedContent + acsRenderingType


def build_ares(facts: AReqFacts, decision: Decision, ctx: AResContext) -> dict[str, Any]:
    ares: dict[str, Any] = {
        "messageType": "ARes",
        "messageVersion": facts.version,
        "threeDSServerTransID": facts.three_ds_server_trans_id,
        "dsTransID": facts.ds_trans_id,
        "acsTransID": ctx.acs_trans_id,
        "acsReferenceNumber": ctx.acs_reference_number,
        "acsOperatorID": ctx.acs_operator_id,
        "dsReferenceNumber": facts.ds_reference_number,
        "sdkTransID": facts.sdk_trans_id if facts.device_channel == "01" else None,
        "transStatus": decision.trans_status,
        "transStatusReason": decision.reason,
        "authenticationValue": ctx.authentication_value,
        "eci": ctx.eci,
    }
    if facts.version == "2.3.1":
        ares["transChallengeExemption"] = decision.exemption
    if decision.trans_status in ("C", "D"):
        ares.update(_challenge_fields(facts, decision, ctx))
    return {key: value for key, value in ares.items() if value not in (None, "", [], {})}


def _challenge_fields(facts: AReqFacts, decision: Decision, ctx: AResContext) -> dict[str, Any]:
    method = decision.challenge_method
    fields: dict[str, Any] = {"acsChallengeMandated": "Y" if decision.challenge_mandated else "N"}
    if facts.version == "2.3.1":
        fields["authenticationMethod"] = [_AUTH_METHOD[method]]
    else:
        fields["authenticationType"] = _AUTH_TYPE[method]
    if decision.trans_status == "D":
        fields["acsDecConInd"] = "Y"
        text = DECOUPLED_TEXT
        fields["cardholderInfo"] = {"text": text} if facts.version == "2.3.1" else text
    elif facts.device_channel == "02":
        fields["acsURL"] = ctx.acs_url
    elif ctx.app_challenge:
        fields.update(ctx.app_challenge)
    return fields
