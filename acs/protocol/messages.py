"""The messages the ACS sends (ARes, RReq, CRes) as frozen dataclasses with one ``to_wire()``.

A field's wire name is its name in camelCase unless the field says otherwise
(``wire("threeDSServerTransID")``). :meth:`Wire.to_wire` writes the fields in declaration order
and leaves out what is empty — ``None``, ``""``, empty lists and objects (:func:`clean`) — since
the spec wants absent rather than empty elements in what the ACS sends (strict output, §1.2,
Req 309). Enums go out as their wire value, tuples as arrays, nested structures as objects.

The Erro is built by :meth:`acs.protocol.ProtocolError.to_erro`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from acs.protocol.codes import (
    AcsInterface,
    AcsUiType,
    AuthenticationMethod,
    AuthenticationType,
    ChallengeCancel,
    MessageType,
    TransChallengeExemption,
    TransStatus,
    TransStatusReason,
)
from acs.protocol.encoding import clean

__all__ = ["ARes", "CRes", "CardholderInfo", "RReq", "RenderingType", "Wire", "wire"]


def wire(name: str, *, default: Any = dataclasses.MISSING) -> Any:
    """A field whose wire name is not its camelCase name (``ID``, ``URL``, ``threeDS``)."""
    return field(default=default, metadata={"wire": name})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _wire_name(f: dataclasses.Field[Any]) -> str:
    return f.metadata.get("wire") or _camel(f.name)


def _value(value: Any) -> Any:
    if isinstance(value, Wire):
        return value.to_wire()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_value(item) for item in value]
    return value


@dataclass(frozen=True)
class Wire:
    """A structure of the wire format; subclasses are frozen dataclasses."""

    def to_wire(self) -> dict[str, Any]:
        """The JSON object: wire names, declaration order, empty values left out."""
        named = {_wire_name(f): _value(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return clean(named)


@dataclass(frozen=True, kw_only=True)
class RenderingType(Wire):
    """acsRenderingType (§2.8): how the challenge is shown; deviceUserInterfaceMode in 2.3.1."""

    acs_interface: AcsInterface
    acs_ui_template: AcsUiType
    device_user_interface_mode: str | None = None


@dataclass(frozen=True, kw_only=True)
class CardholderInfo(Wire):
    """cardholderInfo as 2.3.1 sends it (an object); earlier versions send the text alone."""

    text: str


@dataclass(frozen=True, kw_only=True)
class _ToDs(Wire):
    """What the messages to the DS begin with: type, version and the three transaction ids.
    Each message sets ``message_type``; a redefined field keeps its place, the first."""

    message_type: MessageType = field(init=False)
    message_version: str
    three_ds_server_trans_id: str = wire("threeDSServerTransID")
    ds_trans_id: str = wire("dsTransID")
    acs_trans_id: str = wire("acsTransID")


@dataclass(frozen=True, kw_only=True)
class ARes(_ToDs):
    """ARes (§2.2): the answer to an AReq."""

    message_type: MessageType = field(default=MessageType.ARES, init=False)
    acs_reference_number: str
    acs_operator_id: str = wire("acsOperatorID")
    ds_reference_number: str | None = None
    sdk_trans_id: str | None = wire("sdkTransID", default=None)
    trans_status: TransStatus
    trans_status_reason: TransStatusReason | None = None
    authentication_value: str | None = None
    eci: str | None = None
    trans_challenge_exemption: TransChallengeExemption | None = None  # 2.3.1
    acs_challenge_mandated: str | None = None  # Y | N, for C and D
    authentication_type: AuthenticationType | None = None  # 2.1.0 / 2.2.0
    authentication_method: tuple[AuthenticationMethod, ...] = ()  # 2.3.1
    acs_dec_con_ind: str | None = None
    cardholder_info: str | CardholderInfo | None = None
    acs_url: str | None = wire("acsURL", default=None)
    acs_signed_content: str | None = None
    acs_rendering_type: RenderingType | None = None


@dataclass(frozen=True, kw_only=True)
class RReq(_ToDs):
    """RReq (§2.5): the final outcome of a challenge, sent to the DS."""

    message_type: MessageType = field(default=MessageType.RREQ, init=False)
    message_category: str
    trans_status: TransStatus
    trans_status_reason: TransStatusReason | None = None
    challenge_cancel: ChallengeCancel | None = None
    sdk_trans_id: str | None = wire("sdkTransID", default=None)
    authentication_type: AuthenticationType | None = None  # 2.1.0 / 2.2.0
    authentication_method: tuple[AuthenticationMethod, ...] = ()  # 2.3.1
    authentication_value: str | None = None
    eci: str | None = None
    interaction_counter: str | None = None
    acs_rendering_type: RenderingType | None = None


@dataclass(frozen=True, kw_only=True)
class CRes(Wire):
    """CRes (§2.4): a challenge screen (completion N) or the final CRes (completion Y)."""

    three_ds_server_trans_id: str = wire("threeDSServerTransID")
    acs_trans_id: str = wire("acsTransID")
    sdk_trans_id: str | None = wire("sdkTransID", default=None)  # app channel
    message_type: MessageType = field(default=MessageType.CRES, init=False)
    message_version: str
    acs_counter_ato_s: str | None = wire("acsCounterAtoS", default=None)  # app channel
    challenge_completion_ind: str
    trans_status: TransStatus | None = None  # the final CRes: Y or N
    why_info_label: str | None = None
    why_info_text: str | None = None
    acs_ui_type: AcsUiType | None = None
    challenge_info_header: str | None = None
    challenge_info_label: str | None = None
    challenge_info_text: str | None = None
    oob_continue_label: str | None = None
    submit_authentication_label: str | None = None
    challenge_info_text_indicator: str | None = None
    resend_information_label: str | None = None
