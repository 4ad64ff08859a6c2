"""validate_outgoing: samples of what the ACS sends pass; broken ones list every problem."""

from __future__ import annotations

import pytest

from acs.protocol import OutgoingMessageInvalid, ProtocolError, validate_outgoing

IDS = {
    "threeDSServerTransID": "8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
    "dsTransID": "6c7b3b1a-2f0e-4c1d-9a55-0d2b8e7f4a10",
    "acsTransID": "d7c1ee99-9478-44a6-b1f2-391e29c6b340",
}
ARES_CHALLENGE = {
    "messageType": "ARes",
    "messageVersion": "2.2.0",
    **IDS,
    "acsReferenceNumber": "ACS_TEST_REF_0001",
    "acsOperatorID": "ACS-OP-01",
    "dsReferenceNumber": "DS_TEST_REF_0001",
    "transStatus": "C",
    "acsChallengeMandated": "Y",
    "authenticationType": "02",
    "acsURL": "https://acs.example-issuer.test/challenge/brw",
}
ARES_FRICTIONLESS_231 = {
    "messageType": "ARes",
    "messageVersion": "2.3.1",
    **IDS,
    "acsReferenceNumber": "ACS_TEST_REF_0001",
    "dsReferenceNumber": "DS_TEST_REF_0001",
    "transStatus": "Y",
    "eci": "05",
    "authenticationValue": "QUJDREVGR0hJSktMTU5PUFFSU1Q=",
    "transChallengeExemption": "79",
    "authenticationMethod": ["10"],
}
CRES_FINAL = {
    "messageType": "CRes",
    "messageVersion": "2.2.0",
    "threeDSServerTransID": IDS["threeDSServerTransID"],
    "acsTransID": IDS["acsTransID"],
    "challengeCompletionInd": "Y",
    "transStatus": "Y",
}
RREQ = {
    "messageType": "RReq",
    "messageVersion": "2.2.0",
    "messageCategory": "01",
    **IDS,
    "transStatus": "N",
    "transStatusReason": "14",
    "challengeCancel": "05",
    "authenticationType": "02",
    "interactionCounter": "00",
}
ERRO = ProtocolError.invalid(["purchaseDate"]).to_erro(
    version="2.2.0", ids=IDS, message_type="AReq"
)


@pytest.mark.parametrize("message", [ARES_CHALLENGE, ARES_FRICTIONLESS_231, CRES_FINAL, RREQ, ERRO])
def test_sample_passes(message: dict) -> None:
    """A correct ARes/CRes/RReq/Erro passes."""
    validate_outgoing(message)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (ARES_CHALLENGE | {"acsOperatorID": ""}, "acsOperatorID"),
        (ARES_CHALLENGE | {"acsURL": None}, "acsURL"),
        (ARES_CHALLENGE | {"transStatus": "S"}, "transStatus"),
        (ARES_CHALLENGE | {"invented": "x"}, "invented"),
        (CRES_FINAL | {"transStatus": "A"}, "transStatus"),
        (RREQ | {"challengeCancel": "02"}, "challengeCancel"),
        ({k: v for k, v in ERRO.items() if k != "errorDetail"}, "errorDetail"),
    ],
)
def test_broken_message_fails(message: dict, expected: str) -> None:
    """Empty strings, nulls, unknown fields and values outside the version's table fail."""
    with pytest.raises(OutgoingMessageInvalid) as caught:
        validate_outgoing(message)
    assert any(expected in problem for problem in caught.value.problems)


def test_all_problems_are_listed() -> None:
    """Every problem of a broken message is reported, not just the first."""
    with pytest.raises(OutgoingMessageInvalid) as caught:
        validate_outgoing(RREQ | {"transStatus": "C", "eci": ""})
    assert len(caught.value.problems) >= 2


def test_unknown_message_type_fails() -> None:
    """A message with no schema cannot pass."""
    with pytest.raises(OutgoingMessageInvalid):
        validate_outgoing({"messageType": "PRes", "messageVersion": "2.2.0"})


def test_browser_and_app_creq_share_one_schema() -> None:
    """The browser CReq needs challengeWindowSize, the app CReq sdkCounterStoA (§6.3 c, e)."""
    from acs.protocol import MessageType, validate_incoming

    browser = {
        "messageType": "CReq",
        "messageVersion": "2.2.0",
        "threeDSServerTransID": IDS["threeDSServerTransID"],
        "acsTransID": IDS["acsTransID"],
        "challengeWindowSize": "05",
    }
    app = {k: v for k, v in browser.items() if k != "challengeWindowSize"}
    app |= {"sdkTransID": "2f5b0c4e-7c1f-4a1e-8a7e-0f4d9f1d2c33", "sdkCounterStoA": "000"}
    assert validate_incoming(browser, expected=MessageType.CREQ) == "2.2.0"
    assert validate_incoming(app | {"oobContinue": True}, expected=MessageType.CREQ) == "2.2.0"
    v231 = app | {"messageVersion": "2.3.1", "oobContinue": "01"}
    assert validate_incoming(v231, expected=MessageType.CREQ) == "2.3.1"
    with pytest.raises(ProtocolError) as caught:
        validate_incoming(app | {"oobContinue": "01"}, expected=MessageType.CREQ)
    assert caught.value.detail == "oobContinue"
    with pytest.raises(ProtocolError) as caught:
        validate_incoming({**app, "sdkCounterStoA": None}, expected=MessageType.CREQ)
    assert caught.value.detail == "sdkCounterStoA"


def test_rres_validates() -> None:
    """An RRes with resultsStatus 01 passes; 04 only exists in 2.3.1."""
    from acs.protocol import MessageType, validate_incoming

    rres = {"messageType": "RRes", "messageVersion": "2.2.0", **IDS, "resultsStatus": "01"}
    assert validate_incoming(rres, expected=MessageType.RRES) == "2.2.0"
    with pytest.raises(ProtocolError):
        validate_incoming(rres | {"resultsStatus": "04"}, expected=MessageType.RRES)
    rres_231 = rres | {"messageVersion": "2.3.1", "resultsStatus": "04"}
    assert validate_incoming(rres_231, expected=MessageType.RRES) == "2.3.1"
