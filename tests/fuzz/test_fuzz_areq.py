"""Mutated AReqs of every version and channel, POSTed to /3ds/areq through the real app."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acs.protocol import validate_outgoing
from acs.protocol.validation import schema
from tests.areqs import areq, vector_names
from tests.fuzz.strategies import FUZZ, INPUT_CODES, Mutated, mutations

SMS_CARD = "4970100000000022"


def vector(name: str) -> dict:
    version, channel, category = name.split("-")
    return areq(version, channel, category, acctNumber=SMS_CARD)


async def check_answer(response, mutated: Mutated) -> dict:
    """No 5xx, a JSON answer; an Erro carries a code an input may cause, never 402-404."""
    assert response.status in (200, 413), (response.status, mutated)
    answer = await response.json()
    if answer.get("messageType") == "Erro":
        assert answer["errorCode"] in INPUT_CODES, (answer, mutated)
        assert answer["errorDetail"], (answer, mutated)
    else:
        validate_outgoing(answer)
    return answer


@pytest.mark.parametrize("name", vector_names())
@FUZZ
@given(data=st.data())
async def test_mutated_areq_gets_an_ares_or_its_erro(client, name, data):
    """No mutation of a valid AReq ends in a 5xx or a system-failure Erro."""
    mutated = data.draw(mutations(vector(name)), label="mutated")
    response = await client.post(
        "/3ds/areq", data=mutated.body, headers={"Content-Type": "application/json"}
    )
    answer = await check_answer(response, mutated)
    if mutated.what.startswith("duplicate"):
        assert answer["errorCode"] == "204", (answer, mutated)
    if mutated.what == "not UTF-8":
        assert answer["errorCode"] == "101", (answer, mutated)
    if mutated.what.endswith(("+NUL", "NUL+", "+surrogate")):  # refused in any field
        assert answer.get("errorCode") in {"101", "102", "203"}, (answer, mutated)
    if mutated.what.endswith("+\\n") and _checked_text(name, mutated.what.split()[0]):
        assert answer.get("errorCode") in {"101", "102", "203"}, (answer, mutated)


def _checked_text(name: str, field: str) -> bool:
    """The field's schema limits its text (pattern, enum or format): a newline cannot pass."""
    rule = schema(name.split("-")[0], "AReq")["properties"].get(field, {})
    return rule.get("type") == "string" and bool({"pattern", "enum", "format"} & set(rule))
