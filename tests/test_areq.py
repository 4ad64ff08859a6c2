"""POST /3ds/areq through the real app and database: every decision, every Erro code."""

from __future__ import annotations

import json

import pytest

from acs.config import Scheme
from acs.crypto import authvalue
from acs.protocol import validate_outgoing
from tests.areqs import areq, vector_names

SECURPASS_CARD = "4970100000000014"  # Camille: app + secure mobile
SMS_CARD = "4970100000000022"  # Louis: secure mobile only
FRAUD_CARD = "4970100000000030"
NOT_ENROLLED_CARD = "4970100000000048"
EXPIRED_CARD = "4970100000000055"
LOST_CARD = "4970100000000063"
CANCELLED_CARD = "4970100000000071"
MASTERCARD = "5132850000000016"
UNKNOWN_IN_RANGE = "4970109999999995"

pytestmark = pytest.mark.usefixtures("demo_data")


async def post(client, message) -> dict:
    response = await client.post("/3ds/areq", json=message)
    assert response.status == 200
    assert response.content_type == "application/json"
    answer = await response.json()
    validate_outgoing(answer)
    return answer


@pytest.mark.parametrize("name", vector_names())
async def test_every_vector_gets_a_valid_ares(client, name):
    """Each vector (browser, app, 3RI; PA, NPA; each version) gets a schema-valid ARes."""
    version, channel, category = name.split("-")
    message = areq(version, channel, category, acctNumber=SMS_CARD)
    ares = await post(client, message)
    assert ares["messageType"] == "ARes"
    assert ares["messageVersion"] == version
    assert ares["threeDSServerTransID"] == message["threeDSServerTransID"]
    assert ares["dsTransID"] == message["dsTransID"]
    assert ares["transStatus"] in {"Y", "N", "C", "D", "I", "A", "U", "R"}
    if channel == "3ri":
        assert ares["transStatus"] != "C"


async def test_low_value_is_frictionless_with_a_verifiable_cavv(client, keyring, settings):
    """20 EUR is under the low-value ceiling: Y, ECI 05 and a CAVV the issuer can verify."""
    message = areq(acctNumber=SECURPASS_CARD, purchaseAmount="2000")
    ares = await post(client, message)
    assert (ares["transStatus"], ares["eci"]) == ("Y", "05")
    assert len(ares["authenticationValue"]) == 28
    card_range = settings.range_for(SECURPASS_CARD)
    keys = keyring.for_range(card_range)
    scheme_keys = authvalue.SchemeKeys(keys.cvk_a, keys.cvk_b, keys.aav_key, keys.key_indicator)
    inp = authvalue.AuthInput(
        pan=SECURPASS_CARD,
        trans_status="Y",
        method="99",
        amount_minor=2000,
        currency="978",
        merchant_name="showroomprive.com",
        acs_trans_id=ares["acsTransID"],
    )
    authvalue.verify(Scheme.VISA, scheme_keys, ares["authenticationValue"], inp)


async def test_mastercard_range_gets_eci_02(client):
    """A frictionless Y on the Mastercard-style range carries ECI 02 and a 28-character AAV."""
    ares = await post(client, areq(acctNumber=MASTERCARD, purchaseAmount="1500"))
    assert (ares["transStatus"], ares["eci"]) == ("Y", "02")
    assert len(ares["authenticationValue"]) == 28


async def test_low_value_in_231_names_the_exemption(client):
    """2.3.1 tells the requestor which exemption applied: transChallengeExemption 10."""
    ares = await post(client, areq("2.3.1", acctNumber=SECURPASS_CARD, purchaseAmount="1000"))
    assert ares["transStatus"] == "Y"
    assert ares["transChallengeExemption"] == "10"


async def test_sixth_low_value_payment_needs_sca(client):
    """At most 5 consecutive low-value exemptions since the last SCA (RTS Art. 16)."""
    for _ in range(5):
        ares = await post(client, areq(acctNumber=SMS_CARD, purchaseAmount="500"))
        assert ares["transStatus"] == "Y"
    ares = await post(client, areq(acctNumber=SMS_CARD, purchaseAmount="500"))
    assert ares["transStatus"] == "C"


async def test_payment_above_the_exemptions_is_challenged_by_sms(client):
    """41,99 EUR for a customer with only a secure mobile: browser challenge by SMS OTP."""
    ares = await post(client, areq(acctNumber=SMS_CARD, purchaseAmount="4199"))
    assert ares["transStatus"] == "C"
    assert ares["acsURL"] == "https://acs.test/3ds/challenge"
    assert ares["acsChallengeMandated"] == "N"
    assert ares["authenticationType"] == "02"
    assert "authenticationValue" not in ares and "eci" not in ares


async def test_231_challenge_uses_authentication_method(client):
    """2.3.1 replaces authenticationType with the authenticationMethod array."""
    ares = await post(client, areq("2.3.1", acctNumber=SMS_CARD, purchaseAmount="4199"))
    assert ares["transStatus"] == "C"
    assert ares["authenticationMethod"] == ["02"]
    assert "authenticationType" not in ares


async def test_mandated_challenge_is_flagged(client):
    """challengeInd 04 forces a challenge even on a low amount, acsChallengeMandated Y."""
    message = areq(acctNumber=SMS_CARD, purchaseAmount="500", threeDSRequestorChallengeInd="04")
    ares = await post(client, message)
    assert (ares["transStatus"], ares["acsChallengeMandated"]) == ("C", "Y")


@pytest.mark.parametrize(
    ("pan", "reason"),
    [
        (FRAUD_CARD, "11"),
        (LOST_CARD, "10"),
        (CANCELLED_CARD, "12"),
        (EXPIRED_CARD, "05"),
        (NOT_ENROLLED_CARD, "13"),
        (UNKNOWN_IN_RANGE, "08"),
    ],
)
async def test_refusals_carry_their_reason(client, pan, reason):
    """Opposed, cancelled, expired, unknown and not-enrolled cards are refused with a reason."""
    ares = await post(client, areq(acctNumber=pan))
    assert (ares["transStatus"], ares["transStatusReason"]) == ("N", reason)
    assert "authenticationValue" not in ares


async def test_data_only_answers_informational(client):
    """challengeInd 06 (data share only) never challenges: transStatus I."""
    message = areq(acctNumber=SMS_CARD, threeDSRequestorChallengeInd="06")
    ares = await post(client, message)
    assert ares["transStatus"] == "I"


async def test_output_never_carries_empty_values(client):
    """Strict output: no null, no empty string, no empty array in any ARes."""
    for pan in (SECURPASS_CARD, FRAUD_CARD, SMS_CARD):
        ares = await post(client, areq(acctNumber=pan))
        assert all(v not in (None, "", [], {}) for v in ares.values())


async def test_decision_and_rules_are_stored(client):
    """The transaction row keeps the status, the reason and the rules that fired."""
    from acs.storage import transactions
    from acs.web.keys import SESSIONS

    ares = await post(client, areq(acctNumber=FRAUD_CARD))
    async with client.app[SESSIONS]() as session:
        row = await transactions.get(session, ares["acsTransID"])
    assert (row.trans_status, row.trans_status_reason) == ("N", "11")
    assert row.risk_rules and isinstance(row.risk_rules, list)


# --- errors -------------------------------------------------------------------------------


async def erro(client, body: bytes | str, status: int = 200) -> dict:
    data = body.encode() if isinstance(body, str) else body
    response = await client.post(
        "/3ds/areq", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    answer = await response.json()
    assert answer["messageType"] == "Erro"
    assert answer["errorComponent"] == "A"
    assert answer["errorMessageType"] == "AReq"
    validate_outgoing(answer)
    return answer


async def test_not_json_is_101(client):
    """A body that is not JSON is answered with Erro 101."""
    assert (await erro(client, "{not json"))["errorCode"] == "101"


async def test_not_an_object_is_101(client):
    """A JSON array is not a message: Erro 101."""
    assert (await erro(client, "[1, 2]"))["errorCode"] == "101"


async def test_wrong_message_type_is_101_with_ids(client):
    """An RReq sent to the AReq route is 101, and the Erro quotes the known transaction ids."""
    message = areq(messageType="RReq")
    answer = await erro(client, json.dumps(message))
    assert answer["errorCode"] == "101"
    assert answer["threeDSServerTransID"] == message["threeDSServerTransID"]
    assert answer["dsTransID"] == message["dsTransID"]


async def test_unsupported_version_is_102_listing_versions(client):
    """Version 2.0.0 gets 102, with the supported versions in errorDetail."""
    answer = await erro(client, json.dumps(areq(messageVersion="2.0.0")))
    assert answer["errorCode"] == "102"
    assert "2.1.0" in answer["errorDetail"] and "2.3.1" in answer["errorDetail"]


async def test_missing_field_is_201(client):
    """A missing required field is 201 naming it."""
    answer = await erro(client, json.dumps(areq(acctNumber=None)))
    assert (answer["errorCode"], answer["errorDetail"]) == ("201", "acctNumber")


async def test_empty_field_is_201(client):
    """An empty required field counts as missing: 201."""
    answer = await erro(client, json.dumps(areq(merchantName="")))
    assert answer["errorCode"] == "201"
    assert "merchantName" in answer["errorDetail"]


async def test_conditionally_required_field_is_201(client):
    """A browser AReq without notificationURL is 201."""
    answer = await erro(client, json.dumps(areq(notificationURL=None)))
    assert answer["errorCode"] == "201"
    assert "notificationURL" in answer["errorDetail"]


async def test_bad_format_is_203_with_nested_names(client):
    """Bad formats are 203, nested fields named parent.child."""
    message = areq(purchaseDate="2026-11-29", acctInfo={"chAccAgeInd": "9"})
    answer = await erro(client, json.dumps(message))
    assert answer["errorCode"] == "203"
    assert set(answer["errorDetail"].split(",")) >= {"purchaseDate", "acctInfo.chAccAgeInd"}


async def test_critical_unknown_extension_is_202(client):
    """An unrecognised message extension marked critical is 202 with its id."""
    ext = [{"name": "x", "id": "A000000000-XYZ", "criticalityIndicator": True, "data": {"k": "v"}}]
    answer = await erro(client, json.dumps(areq(messageExtension=ext)))
    assert answer["errorCode"] == "202"
    assert "A000000000-XYZ" in answer["errorDetail"]


async def test_noncritical_unknown_extension_and_fields_are_ignored(client):
    """Lenient input: unknown fields and non-critical extensions do not stop an AReq."""
    ext = [{"name": "x", "id": "A000000000-XYZ", "criticalityIndicator": False, "data": {"k": "v"}}]
    message = areq(acctNumber=SMS_CARD, messageExtension=ext, someFutureField="1")
    assert (await post(client, message))["messageType"] == "ARes"


async def test_duplicate_key_is_204(client):
    """A JSON key given twice is 204 naming it."""
    body = json.dumps(areq())[:-1] + ', "merchantName": "other"}'
    answer = await erro(client, body)
    assert (answer["errorCode"], answer["errorDetail"]) == ("204", "merchantName")


async def test_pan_outside_served_ranges_is_305(client):
    """A PAN in no served card range is 305 naming acctNumber."""
    answer = await erro(client, json.dumps(areq(acctNumber="4000000000000002")))
    assert (answer["errorCode"], answer["errorDetail"]) == ("305", "acctNumber")


async def test_oversize_body_is_refused(client):
    """A body over max_body_bytes is refused with HTTP 413 and an Erro, not a 500."""
    body = json.dumps(areq(padding="x" * 200_000))
    assert (await erro(client, body, status=413))["errorCode"] == "101"


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe", b"null", b'"AReq"', b"1e999999", b"[" * 5000, b'{"a":' * 3000],
)
async def test_broken_input_never_gives_a_500(client, body):
    """However broken, an input gets an Erro, never a stack trace."""
    answer = await erro(client, body)
    assert answer["errorCode"] in {"101", "201", "203"}


async def test_acquirer_tra_on_mastercard_gets_eci_06(client):
    """challengeInd 05 (acquirer TRA) is frictionless and, on Mastercard, ECI 06 (exempt)."""
    message = areq(acctNumber=MASTERCARD, purchaseAmount="8000", threeDSRequestorChallengeInd="05")
    ares = await post(client, message)
    assert (ares["transStatus"], ares["eci"]) == ("Y", "06")


async def test_issuer_exemption_on_mastercard_keeps_eci_02(client):
    """The issuer's own low-value exemption keeps the authenticated ECI 02."""
    ares = await post(client, areq("2.3.1", acctNumber=MASTERCARD, purchaseAmount="1000"))
    assert (ares["transStatus"], ares["transChallengeExemption"], ares["eci"]) == ("Y", "10", "02")


async def test_concurrent_low_value_areqs_never_exceed_the_limit(client):
    """Eight simultaneous 5 EUR AReqs on one card: exactly five are exempted (RTS Art. 16)."""
    import asyncio

    messages = [areq(acctNumber=SMS_CARD, purchaseAmount="500") for _ in range(8)]
    from acs.storage import transactions
    from acs.web.keys import SESSIONS

    answers = await asyncio.gather(*(post(client, m) for m in messages))
    statuses = sorted(a["transStatus"] for a in answers)
    assert statuses == ["C"] * 3 + ["Y"] * 5
    # The losers' first decision (Y) left nothing behind: each answer is stored as sent.
    async with client.app[SESSIONS]() as session:
        for ares in answers:
            row = await transactions.get(session, ares["acsTransID"])
            assert row is not None and row.trans_status == ares["transStatus"]
        assert await transactions.count(session) == 8
