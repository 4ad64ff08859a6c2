"""Base64url, clean(), the code helpers, amount formatting and the pinned public API."""

from __future__ import annotations

import pytest

import acs.protocol
from acs.protocol import (
    Base64Error,
    ChallengeWindowSize,
    TransStatus,
    b64url_decode,
    b64url_encode,
    challenge_cancel_allowed,
    clean,
    format_amount,
    reason_allowed,
    trans_status_allowed,
)


@pytest.mark.parametrize("text", ["eyJhIjoxfQ", "eyJhIjoxfQ==", "eyJh\r\n IjoxfQ", " eyJhIjoxfQ= "])
def test_b64url_accepts_padded_unpadded_and_whitespace(text: str) -> None:
    """Padding is optional and whitespace is ignored (Req 192/193)."""
    assert b64url_decode(text) == b'{"a":1}'


@pytest.mark.parametrize("text", ["ab+c", "ab/c", "abc$", "a", "ab=c"])
def test_b64url_rejects_garbage(text: str) -> None:
    """Standard-alphabet characters and stray symbols raise Base64Error (a ValueError)."""
    with pytest.raises(Base64Error):
        b64url_decode(text)
    assert issubclass(Base64Error, ValueError)


def test_b64url_round_trip_without_padding() -> None:
    """Encoding drops padding and decoding restores the bytes."""
    for size in range(10):
        data = bytes(range(250, 250 - size, -1))
        assert "=" not in b64url_encode(data)
        assert b64url_decode(b64url_encode(data)) == data


def test_clean_drops_empty_values_recursively() -> None:
    """None, "", [] and {} disappear at every depth; False and 0 stay."""
    message = {"a": "", "b": None, "c": [None, "", {"d": ""}], "e": {"f": {}}, "g": False, "h": 0}
    assert clean(message) == {"g": False, "h": 0}
    assert clean({"x": [{"y": "1", "z": None}]}) == {"x": [{"y": "1"}]}


def test_trans_status_by_version_and_message() -> None:
    """D/I exist from 2.2.0, S from 2.3.1; a final CRes is Y/N (and D in 2.3.1)."""
    assert not trans_status_allowed("2.1.0", TransStatus.DECOUPLED)
    assert trans_status_allowed("2.2.0", "I", "ARes")
    assert trans_status_allowed("2.3.1", "S", "ARes") and not trans_status_allowed("2.2.0", "S")
    assert not trans_status_allowed("2.3.1", "C", "RReq")
    assert not trans_status_allowed("2.2.0", "D", "CRes") and trans_status_allowed(
        "2.3.1", "D", "CRes"
    )


def test_reasons_and_cancels_by_version() -> None:
    """transStatusReason ends at 21/26/30; challengeCancel 02 is gone after 2.1.0."""
    assert reason_allowed("2.1.0", "21") and not reason_allowed("2.1.0", "22")
    assert reason_allowed("2.3.1", "30") and not reason_allowed("2.3.1", "31")
    assert not challenge_cancel_allowed("2.2.0", "02") and challenge_cancel_allowed("2.3.1", "10")


def test_window_sizes() -> None:
    """challengeWindowSize maps to pixel sizes; 05 is full screen."""
    assert ChallengeWindowSize("03").pixels == (500, 600)
    assert ChallengeWindowSize.FULL_SCREEN.pixels is None


def test_format_amount() -> None:
    """Minor units render with the currency, French style by default."""
    assert format_amount(4199, 2, "978") == "41,99 €"
    assert format_amount("123456", 2, "978") == "1\u202f234,56 €"
    assert format_amount(1234, 2, "840", locale="en") == "US$12.34"
    assert format_amount(1500, 0, "392") == "1\u202f500 JPY"
    assert format_amount(1500, 0, "392", locale="en") == "JP¥1,500"
    assert format_amount(101, 2, "840") == "1,01 $US"
    assert format_amount(101, 2, "840", locale="en") == "US$1.01"
    assert format_amount(4199, 2, "978", locale="en-GB") == "€41.99"
    assert format_amount(1234, 2, "999") == "12,34"  # never a numeric currency code


def test_public_api_is_pinned() -> None:
    """The exported names of acs.protocol are exactly these."""
    assert sorted(acs.protocol.__all__) == sorted(
        [
            "FORMAT_CHECKER", "SUPPORTED_VERSIONS", "AuthenticationMethod", "AuthenticationType",
            "Base64Error", "ChallengeCancel", "ChallengeInd", "ChallengeWindowSize",
            "DeviceChannel", "ErrorCode", "MessageCategory", "MessageType",
            "OutgoingMessageInvalid", "ProtocolError", "ResultsStatus", "TransChallengeExemption",
            "TransStatus", "TransStatusReason", "b64url_decode", "b64url_encode",
            "challenge_cancel_allowed", "clean", "currency_alpha", "format_amount", "known_ids",
            "parse_json", "preload", "reason_allowed", "trans_status_allowed",
            "validate_incoming", "validate_outgoing",
        ]
    )  # fmt: skip
    assert all(hasattr(acs.protocol, name) for name in acs.protocol.__all__)
