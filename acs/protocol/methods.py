"""The ACS's challenge methods and the wire codes each one is reported with (§3.9, §3.10).

One table per code, keyed by :class:`ChallengeMethod`: the ARes, the RReq and the CRes read
these and nothing else. Sécur'Pass is an out-of-band approval (code or biometrics on the phone):
authenticationType OOB "03", authenticationMethod "09" (OOB other), since the cardholder picks
code or biometrics only on the phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from acs.protocol.codes import (
    AcsInterface,
    AcsUiType,
    AuthenticationMethod,
    AuthenticationType,
    DeviceChannel,
)
from acs.protocol.messages import RenderingType

__all__ = [
    "AUTHENTICATION_METHOD",
    "AUTHENTICATION_TYPE",
    "UI_TYPE",
    "ChallengeMethod",
    "authentication_codes",
    "rendering_type",
]


class ChallengeMethod(StrEnum):
    """How the cardholder will be challenged, decided with the risk decision."""

    SECURPASS_OOB = "securpass_oob"
    SMS_OTP = "sms_otp"
    DECOUPLED = "decoupled"


# authenticationType (2.1.0/2.2.0) per challenge method.
AUTHENTICATION_TYPE: Mapping[ChallengeMethod, AuthenticationType] = {
    ChallengeMethod.SECURPASS_OOB: AuthenticationType.OOB,
    ChallengeMethod.SMS_OTP: AuthenticationType.DYNAMIC,
    ChallengeMethod.DECOUPLED: AuthenticationType.DECOUPLED,
}
# authenticationMethod (2.3.1) per challenge method.
AUTHENTICATION_METHOD: Mapping[ChallengeMethod, AuthenticationMethod] = {
    ChallengeMethod.SECURPASS_OOB: AuthenticationMethod.OOB_OTHER,
    ChallengeMethod.SMS_OTP: AuthenticationMethod.SMS_OTP,
    ChallengeMethod.DECOUPLED: AuthenticationMethod.DECOUPLED,
}
# acsUiType (CRes) and acsUiTemplate (acsRenderingType) of the methods that show a screen:
# Sécur'Pass is an out-of-band screen, SMS OTP a text screen; decoupled shows none.
UI_TYPE: Mapping[ChallengeMethod, AcsUiType] = {
    ChallengeMethod.SECURPASS_OOB: AcsUiType.OOB,
    ChallengeMethod.SMS_OTP: AcsUiType.TEXT,
}


def authentication_codes(
    method: ChallengeMethod, version: str
) -> tuple[AuthenticationType | None, tuple[AuthenticationMethod, ...]]:
    """authenticationType (2.1.0/2.2.0) or the authenticationMethod array (2.3.1) of ``method``;
    the other one is empty."""
    if version == "2.3.1":
        return None, (AUTHENTICATION_METHOD[method],)
    return AUTHENTICATION_TYPE[method], ()


def rendering_type(method: ChallengeMethod, channel: str, version: str) -> RenderingType:
    """acsRenderingType of a challenge: native (app) or HTML (browser), OOB or text;
    deviceUserInterfaceMode (2.3.1) 01."""
    return RenderingType(
        acs_interface=AcsInterface.NATIVE if channel == DeviceChannel.APP else AcsInterface.HTML,
        acs_ui_template=UI_TYPE.get(method, AcsUiType.OOB),
        device_user_interface_mode="01" if version == "2.3.1" else None,
    )
