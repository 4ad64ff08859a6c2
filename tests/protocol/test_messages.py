"""The outgoing messages as dataclasses: wire names, strict output, and the RReq per outcome."""

from __future__ import annotations

import itertools

import pytest

from acs.protocol import (
    AuthenticationMethod,
    ChallengeCancel,
    TransStatus,
    TransStatusReason,
    validate_outgoing,
)
from acs.protocol.codes import AcsInterface, AcsUiType
from acs.protocol.messages import ARes, CardholderInfo, CRes, RenderingType
from acs.protocol.methods import ChallengeMethod, authentication_codes, rendering_type
from acs.protocol.rreq import ChallengeFacts, build_rreq

IDS = {
    "three_ds_server_trans_id": "8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
    "ds_trans_id": "6c7b3b1a-2f0e-4c1d-9a55-0d2b8e7f4a10",
    "acs_trans_id": "d7c1ee99-9478-44a6-b1f2-391e29c6b340",
}


def test_to_wire_uses_wire_names_and_drops_empty_values() -> None:
    """Irregular names come from the field, enums go out as codes, empty values are absent."""
    ares = ARes(
        message_version="2.3.1", **IDS, acs_reference_number="ACS_REF", acs_operator_id="",
        trans_status=TransStatus.DECOUPLED, authentication_method=(AuthenticationMethod.DECOUPLED,),
        cardholder_info=CardholderInfo(text="Validez"), acs_url=None,
        acs_rendering_type=RenderingType(acs_interface=AcsInterface.HTML,
                                         acs_ui_template=AcsUiType.OOB),
    )  # fmt: skip
    assert ares.to_wire() == {
        "messageType": "ARes",
        "messageVersion": "2.3.1",
        "threeDSServerTransID": IDS["three_ds_server_trans_id"],
        "dsTransID": IDS["ds_trans_id"],
        "acsTransID": IDS["acs_trans_id"],
        "acsReferenceNumber": "ACS_REF",
        "transStatus": "D",
        "authenticationMethod": ["12"],
        "cardholderInfo": {"text": "Validez"},
        "acsRenderingType": {"acsInterface": "02", "acsUiTemplate": "04"},
    }
    assert list(ares.to_wire())[:2] == ["messageType", "messageVersion"]


def test_final_cres_passes_its_schema() -> None:
    """A final CRes built from the dataclass is a valid CRes."""
    cres = CRes(
        three_ds_server_trans_id=IDS["three_ds_server_trans_id"], acs_trans_id=IDS["acs_trans_id"],
        message_version="2.2.0", challenge_completion_ind="Y",
        trans_status=TransStatus.AUTHENTICATED,
    )  # fmt: skip
    validate_outgoing(cres.to_wire())


def test_one_authentication_code_per_version() -> None:
    """authenticationType before 2.3.1, the authenticationMethod array in 2.3.1."""
    assert authentication_codes(ChallengeMethod.SECURPASS_OOB, "2.2.0") == ("03", ())
    assert authentication_codes(ChallengeMethod.SMS_OTP, "2.3.1") == (None, ("02",))
    assert rendering_type(ChallengeMethod.SMS_OTP, "01", "2.3.1").to_wire() == {
        "acsInterface": "01", "acsUiTemplate": "01", "deviceUserInterfaceMode": "01",
    }  # fmt: skip


OUTCOMES = [
    (TransStatus.AUTHENTICATED, None, None),
    (TransStatus.NOT_AUTHENTICATED, TransStatusReason.CARD_AUTHENTICATION_FAILED, None),
    (TransStatus.NOT_AUTHENTICATED, TransStatusReason.TIMED_OUT_AT_ACS,
     ChallengeCancel.TIMED_OUT_AT_ACS),
    (TransStatus.NOT_PERFORMED, TransStatusReason.SECURITY_FAILURE,
     ChallengeCancel.TRANSACTION_ERROR),
]  # fmt: skip


CASES = [
    case
    for case in itertools.product(
        ["2.1.0", "2.2.0", "2.3.1"], ["01", "02"], ChallengeMethod, OUTCOMES
    )
    if not (case[0] == "2.1.0" and case[2] is ChallengeMethod.DECOUPLED)  # decoupled: 2.2.0+
]


@pytest.mark.parametrize(("version", "channel", "method", "outcome"), CASES)
def test_every_rreq_passes_its_schema(version, channel, method, outcome) -> None:
    """Each outcome of each method, channel and version gives a valid RReq."""
    status, reason, cancel = outcome
    if cancel is ChallengeCancel.TRANSACTION_ERROR and version == "2.3.1":
        cancel = ChallengeCancel.ERRO_AFTER_CREQ
    facts = ChallengeFacts(
        version=version, **IDS, sdk_trans_id="b2385523-a66c-4907-ac3c-91848e8c0067",
        message_category="01", device_channel=channel, method=method, interaction_counter=2,
    )  # fmt: skip
    proof = {"authentication_value": "QUJDREVGR0hJSktMTU5PUFFSU1Q=", "eci": "05"}
    rreq = build_rreq(
        facts, status=status, reason=reason, cancel=cancel,
        **(proof if status is TransStatus.AUTHENTICATED else {}),
    ).to_wire()  # fmt: skip
    validate_outgoing(rreq)
    assert ("interactionCounter" in rreq) is (method is not ChallengeMethod.DECOUPLED)
    assert ("sdkTransID" in rreq) is (channel == "01" and version != "2.1.0")
    # acsRenderingType is an app-channel field (2.2.0 and 2.3.1 RReq tables): never for a browser.
    assert ("acsRenderingType" in rreq) is (
        channel == "01" and method is not ChallengeMethod.DECOUPLED
    )
