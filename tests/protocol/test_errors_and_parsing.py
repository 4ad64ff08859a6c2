"""ProtocolError → Erro, strict JSON parsing, and robustness against arbitrary bytes."""

from __future__ import annotations

import contextlib
import random

import pytest

from acs.protocol import (
    SUPPORTED_VERSIONS,
    ErrorCode,
    MessageType,
    ProtocolError,
    known_ids,
    parse_json,
    validate_incoming,
    validate_outgoing,
)

IDS = {
    "threeDSServerTransID": "8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
    "dsTransID": "6c7b3b1a-2f0e-4c1d-9a55-0d2b8e7f4a10",
    "sdkTransID": "2f5b0c4e-7c1f-4a1e-8a7e-0f4d9f1d2c33",
}


def test_erro_carries_code_detail_and_ids() -> None:
    """The Erro names the code, the component A, the offending fields and the known ids."""
    erro = ProtocolError.invalid(["purchaseDate", "browserTZ"]).to_erro(
        version="2.3.1", ids=IDS, message_type="AReq"
    )
    assert erro["errorCode"] == "203" and erro["errorComponent"] == "A"
    assert erro["errorDetail"] == "purchaseDate,browserTZ"
    assert erro["errorMessageType"] == "AReq" and erro["messageVersion"] == "2.3.1"
    assert {k: erro[k] for k in IDS} == IDS
    validate_outgoing(erro)


@pytest.mark.parametrize("version", [None, "", "2.0.0", "9.9.9"])
def test_erro_for_unusable_version_uses_fallback(version: str | None) -> None:
    """An Erro answering an unusable version is sent in a supported one."""
    erro = ProtocolError.unsupported_version().to_erro(version=version, ids={}, message_type="AReq")
    assert erro["messageVersion"] in SUPPORTED_VERSIONS
    assert erro["errorDetail"] == "2.1.0,2.2.0,2.3.1"
    validate_outgoing(erro)


def test_erro_never_has_empty_values() -> None:
    """Empty detail falls back to the message type; empty ids are left out."""
    erro = ProtocolError.system_failure().to_erro(
        version="2.2.0", ids={"acsTransID": "", "dsTransID": None}, message_type="CReq"
    )
    assert erro["errorCode"] == "404" and erro["errorDetail"] == "CReq"
    assert all(isinstance(v, str) and v for v in erro.values())
    assert "acsTransID" not in erro and "dsTransID" not in erro


def test_system_failure_is_generic() -> None:
    """403/404 carry a generic description only."""
    error = ProtocolError.system_failure(transient=True)
    assert error.code is ErrorCode.TRANSIENT_SYSTEM_FAILURE
    assert error.description == "Transient system failure"


def test_message_type_given_at_construction_is_used() -> None:
    """errorMessageType falls back to the message type recorded on the error."""
    erro = ProtocolError.missing(["x"], message_type="RRes").to_erro(version="2.2.0", ids={})
    assert erro["errorMessageType"] == "RRes"


def test_nested_duplicates_are_named_with_parent() -> None:
    """Duplicate keys inside objects and arrays are reported as parent.child."""
    body = b'{"a": {"b": 1, "b": 2}, "l": [{"x": 1}, {"y": 1, "y": 2}], "c": 1}'
    with pytest.raises(ProtocolError) as caught:
        parse_json(body)
    assert (caught.value.code, caught.value.detail) == (ErrorCode.DUPLICATE_ELEMENT, "a.b,l.y")


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b"{" * 200_000,
        b"[" * 200_000,
        b'{"a": ' + b"9" * 10_000 + b"}",
        b'{"a": NaN}',
    ],
    ids=["bad-utf8", "deep-objects", "deep-arrays", "huge-int", "nan"],
)
def test_hostile_bodies_are_101(body: bytes) -> None:
    """Bad UTF-8, absurd nesting, huge numbers and NaN are 101, never a crash."""
    with pytest.raises(ProtocolError) as caught:
        parse_json(body)
    assert caught.value.code is ErrorCode.MESSAGE_INVALID


def test_random_bytes_raise_only_protocol_error() -> None:
    """Arbitrary bytes and mutated messages fail only with ProtocolError."""
    rng = random.Random(3_2_1)
    seed = b'{"messageType":"AReq","messageVersion":"2.2.0","acctInfo":{"chAccAgeInd":"01"}}'
    for _ in range(2000):
        mutated = bytearray(seed)
        for _ in range(rng.randint(1, 6)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        for body in (bytes(mutated), rng.randbytes(rng.randint(0, 64))):
            with contextlib.suppress(ProtocolError):
                validate_incoming(parse_json(body), expected=MessageType.AREQ)


def test_known_ids_keeps_only_uuids() -> None:
    """Only well-formed UUID ids are echoed into an Erro."""
    message = IDS | {"acsTransID": "not-a-uuid", "dsTransID": 5}
    assert known_ids(message) == {k: IDS[k] for k in ("threeDSServerTransID", "sdkTransID")}
