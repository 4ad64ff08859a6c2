"""The RReq of a decided challenge (§2.5): what each outcome, channel and version carries.

Proof (authenticationValue, ECI) only for Y; transStatusReason only for N, U and R; the
authentication type or method for Y and N; no UI fields (interactionCounter, acsRenderingType)
for a decoupled authentication; sdkTransID and acsRenderingType for the app channel only (the
2.2.0 and 2.3.1 RReq tables give acsRenderingType for deviceChannel 01; issue #13).
interactionCounter counts the cardholder's attempts: "00" when they made none (a cancel).
"""

from __future__ import annotations

from dataclasses import dataclass

from acs.protocol.codes import ChallengeCancel, DeviceChannel, TransStatus, TransStatusReason
from acs.protocol.messages import RReq
from acs.protocol.methods import ChallengeMethod, authentication_codes, rendering_type

__all__ = ["ChallengeFacts", "build_rreq"]

_WITH_REASON = (TransStatus.NOT_AUTHENTICATED, TransStatus.NOT_PERFORMED, TransStatus.REJECTED)
_WITH_AUTHENTICATION = (TransStatus.AUTHENTICATED, TransStatus.NOT_AUTHENTICATED)


@dataclass(frozen=True)
class ChallengeFacts:
    """What the RReq repeats of the AReq and of its challenge."""

    version: str
    three_ds_server_trans_id: str
    ds_trans_id: str
    acs_trans_id: str
    sdk_trans_id: str | None
    message_category: str
    device_channel: str
    method: ChallengeMethod
    interaction_counter: int


def build_rreq(
    facts: ChallengeFacts,
    *,
    status: TransStatus,
    reason: TransStatusReason | None,
    cancel: ChallengeCancel | None,
    authentication_value: str | None = None,
    eci: str | None = None,
) -> RReq:
    """The RReq for this outcome of the challenge ``facts`` describes."""
    version, app = facts.version, facts.device_channel == DeviceChannel.APP
    auth_type, auth_method = (
        authentication_codes(facts.method, version)
        if status in _WITH_AUTHENTICATION
        else (None, ())
    )
    ui = facts.method is not ChallengeMethod.DECOUPLED
    return RReq(
        message_version=version,
        three_ds_server_trans_id=facts.three_ds_server_trans_id,
        ds_trans_id=facts.ds_trans_id,
        acs_trans_id=facts.acs_trans_id,
        message_category=facts.message_category,
        trans_status=status,
        trans_status_reason=reason if status in _WITH_REASON else None,
        challenge_cancel=cancel,
        sdk_trans_id=facts.sdk_trans_id if app and version != "2.1.0" else None,
        authentication_type=auth_type,
        authentication_method=auth_method,
        authentication_value=authentication_value,
        eci=eci,
        interaction_counter=f"{min(facts.interaction_counter, 99):02d}" if ui else None,
        acs_rendering_type=(
            rendering_type(facts.method, facts.device_channel, version) if ui and app else None
        ),
    )
