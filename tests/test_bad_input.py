"""Bad AReq input through the real app: each gets its own Erro code, never a system failure."""

from __future__ import annotations

import json

import pytest

from tests.areqs import areq

SMS_CARD = "4970100000000022"

pytestmark = pytest.mark.usefixtures("demo_data")


async def erro_for(client, body: bytes) -> dict:
    response = await client.post(
        "/3ds/areq", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 200
    answer = await response.json()
    assert answer["messageType"] == "Erro", answer
    return answer


def dumps(message: dict) -> bytes:
    return json.dumps(message).encode()


@pytest.mark.parametrize("kind", [["AReq"], {"a": "AReq"}, 7, None])
async def test_non_string_message_type_is_101(client, kind):
    """A messageType that is a list, an object or a number is a 101, not a system failure."""
    answer = await erro_for(client, dumps(areq(acctNumber=SMS_CARD, messageType=kind)))
    assert (answer["errorCode"], answer["errorDetail"]) == ("101", "messageType")


@pytest.mark.parametrize("value", [{"a": 1}, ["x"], 10**400, 1.5, True])
async def test_untyped_requestor_id_of_the_wrong_type_is_203(client, value):
    """threeDSRequestorID given as an object, a list or a huge number is a 203 naming it."""
    body = dumps(areq(acctNumber=SMS_CARD, threeDSRequestorID=value))
    answer = await erro_for(client, body)
    assert answer["errorCode"] == "203"
    assert "threeDSRequestorID" in answer["errorDetail"].split(",")


@pytest.mark.parametrize("field", ["merchantName", "threeDSRequestorID", "acctNumber"])
async def test_lone_surrogate_is_203(client, field):
    """A lone UTF-16 surrogate (valid JSON escape, not a character) is a 203 naming the field."""
    message = areq(acctNumber=SMS_CARD)
    message[field] = "x"
    body = dumps(message).replace(b'"x"', b'"ab\\ud800cd"')
    answer = await erro_for(client, body)
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", field)


@pytest.mark.parametrize("field", ["merchantName", "threeDSRequestorID", "acctNumber"])
async def test_nul_character_is_203(client, field):
    """A NUL character in a text field is a 203 naming the field."""
    answer = await erro_for(client, dumps(areq(**{"acctNumber": SMS_CARD, field: "ab\x00cd"})))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", field)


async def test_nul_in_a_key_is_203(client):
    """A NUL character in an unknown key is a 203, not a database failure."""
    message = areq(acctNumber=SMS_CARD)
    message["extra\x00key"] = "x"
    answer = await erro_for(client, dumps(message))
    assert answer["errorCode"] == "203"


@pytest.mark.parametrize(
    ("field", "value"),
    [("purchaseAmount", "4199\n"), ("purchaseCurrency", "978\n"), ("acctNumber", SMS_CARD + "\n")],
)
async def test_trailing_newline_fails_the_pattern(client, field, value):
    """A pattern matches the whole string: a trailing newline is a 203 naming the field."""
    answer = await erro_for(client, dumps(areq(**{"acctNumber": SMS_CARD, field: value})))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", field)


@pytest.mark.parametrize("field", ["threeDSRequestorID", "merchantName", "threeDSServerRefNumber"])
async def test_overlong_string_is_203(client, field):
    """A string longer than the field allows is a 203, not a database failure."""
    answer = await erro_for(client, dumps(areq(acctNumber=SMS_CARD, **{field: "a" * 5000})))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", field)


async def test_amount_beyond_what_the_acs_holds_is_203(client):
    """A 48-digit purchaseAmount is well-formed but cannot be held: a 203, not a failure."""
    answer = await erro_for(client, dumps(areq(acctNumber=SMS_CARD, purchaseAmount="9" * 48)))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", "purchaseAmount")


@pytest.mark.parametrize("email", ["camille@example.com\n", "camille @example.com", "a@b\x07.fr"])
async def test_email_with_blanks_or_controls_is_203(client, email):
    """An email with a newline, a space or a control character is a 203 naming it."""
    answer = await erro_for(client, dumps(areq(acctNumber=SMS_CARD, email=email)))
    assert (answer["errorCode"], answer["errorDetail"]) == ("203", "email")
