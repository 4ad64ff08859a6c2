"""Signed device calls: the phone signs, the server verifies (acs.securpass.signing)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acs.clock import FrozenClock
from acs.securpass.devices import DeviceStatus
from acs.securpass.errors import DeviceUnusable, Reason, RequestRejected
from acs.securpass.signing import (
    VerifiedRequest,
    canonical_request,
    read_device_id,
    verify_signed_request,
)
from merchant_simulator.phone import PhoneKeys, sign_request
from tests.phones import device_of

PATH = "/securpass/v1/devices/dev-1/operations?status=pending"
BODY = b'{"a":1}'


def signed(phone: PhoneKeys, clock: FrozenClock, **overrides) -> dict[str, str]:
    args = {"method": "POST", "path": PATH, "body": BODY, "device_id": phone.device_id}
    args |= {"timestamp": int(clock.now().timestamp())} | overrides
    return sign_request(phone.possession, **args)


def verify(phone: PhoneKeys, clock: FrozenClock, headers, **overrides) -> VerifiedRequest:
    args = {
        "method": "POST",
        "path": PATH,
        "body": BODY,
        "headers": headers,
        "expected_device_id": "dev-1",
        "public_key": device_of(phone).possession_key,
        "device_status": DeviceStatus.ACTIVE,
        "now": clock.now(),
    }
    return verify_signed_request(**(args | overrides))


def rejected(reason: Reason, phone, clock, headers, **overrides) -> None:
    with pytest.raises(RequestRejected) as info:
        verify(phone, clock, headers, **overrides)
    assert info.value.reason == reason


def test_phone_signed_call_verifies(phone, clock) -> None:
    """A call signed by the phone library verifies and returns the nonce to record."""
    headers = signed(phone, clock)
    result = verify(phone, clock, headers)
    assert result.device_id == "dev-1" and result.nonce == headers["X-SP-Nonce"]
    assert result.timestamp == clock.now()
    assert result.nonce_expires_at == clock.now() + timedelta(seconds=120)


def test_header_names_are_case_insensitive(phone, clock) -> None:
    """Header lookup ignores case, as HTTP does."""
    headers = {k.lower(): v for k, v in signed(phone, clock).items()}
    assert read_device_id(headers) == "dev-1"
    verify(phone, clock, headers)


def test_canonical_form_is_seven_lines() -> None:
    """The signed string is label, method, path, body hash, timestamp, nonce, device id."""
    text = canonical_request(
        method="GET", path="/p?q=1", body=b"", timestamp="1", nonce="A" * 22, device_id="d"
    )
    assert text.decode().split("\n") == [
        "SP-REQUEST-1",
        "GET",
        "/p?q=1",
        "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",  # SHA-256 of the empty body
        "1",
        "A" * 22,
        "d",
    ]


@pytest.mark.parametrize(
    "missing", ["X-SP-Device", "X-SP-Timestamp", "X-SP-Nonce", "X-SP-Signature"]
)
def test_missing_header(phone, clock, missing: str) -> None:
    """Each of the four headers is required."""
    headers = signed(phone, clock)
    del headers[missing]
    rejected(Reason.MISSING_HEADER, phone, clock, headers)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-SP-Nonce", "short"),
        ("X-SP-Nonce", "A" * 21 + "\n"),
        ("X-SP-Timestamp", "-5"),
        ("X-SP-Timestamp", "1e9"),
        ("X-SP-Signature", "!" * 86),
        ("X-SP-Device", "dev 1"),
    ],
)
def test_malformed_header(phone, clock, name: str, value: str) -> None:
    """Headers must match their patterns (no spaces or line breaks can shift the lines)."""
    headers = signed(phone, clock) | {name: value}
    with pytest.raises(RequestRejected) as info:
        verify(phone, clock, headers)
    assert info.value.reason in (Reason.MALFORMED_HEADER, Reason.DEVICE_MISMATCH)


def test_other_device_id_is_refused(phone, clock) -> None:
    """A call claiming another device than the one whose key was loaded is refused."""
    rejected(Reason.DEVICE_MISMATCH, phone, clock, signed(phone, clock), expected_device_id="dev-2")


@pytest.mark.parametrize("seconds", [121, -121, 3600])
def test_stale_timestamp(phone, clock, seconds: int) -> None:
    """The phone's timestamp must be within ±120 s of the server clock."""
    headers = signed(phone, clock)
    clock.advance(seconds=seconds)
    rejected(Reason.STALE_TIMESTAMP, phone, clock, headers)


@pytest.mark.parametrize("seconds", [120, -120])
def test_skew_of_120_seconds_is_tolerated(phone, clock, seconds: int) -> None:
    """Phone clocks drift: exactly ±120 s is still accepted."""
    headers = signed(phone, clock)
    clock.advance(seconds=seconds)
    verify(phone, clock, headers)


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"path": PATH.replace("pending", "approved")},
        {"body": b'{"a":2}'},
    ],
)
def test_any_change_breaks_the_signature(phone, clock, change) -> None:
    """Method, path with query and body are all covered by the signature."""
    rejected(Reason.BAD_SIGNATURE, phone, clock, signed(phone, clock), **change)


def test_signature_by_another_key_is_refused(phone, clock) -> None:
    """A call signed by another phone's key with this device id is refused."""
    thief = PhoneKeys.generate()
    thief.device_id = "dev-1"
    rejected(Reason.BAD_SIGNATURE, phone, clock, signed(thief, clock))


def test_biometric_key_cannot_sign_calls(phone, clock) -> None:
    """Calls are signed by the possession key only."""
    headers = sign_request(
        phone.biometric,
        method="POST",
        path=PATH,
        body=BODY,
        device_id="dev-1",
        timestamp=int(clock.now().timestamp()),
    )
    rejected(Reason.BAD_SIGNATURE, phone, clock, headers)


def test_replayed_nonce_is_refused(phone, clock) -> None:
    """The caller's replay cache sees the nonce; a second use is refused."""
    seen: set[str] = set()

    def seen_nonce(nonce: str) -> bool:
        if nonce in seen:
            return True
        seen.add(nonce)
        return False

    headers = signed(phone, clock)
    verify(phone, clock, headers, seen_nonce=seen_nonce)
    rejected(Reason.REPLAYED_NONCE, phone, clock, headers, seen_nonce=seen_nonce)


def test_unsigned_call_does_not_reach_the_replay_cache(phone, clock) -> None:
    """The nonce is looked up only after the signature verified."""
    calls: list[str] = []
    headers = signed(phone, clock) | {"X-SP-Signature": "A" * 86}
    with pytest.raises(RequestRejected):
        verify(phone, clock, headers, seen_nonce=lambda n: calls.append(n) or False)
    assert calls == []


@pytest.mark.parametrize(
    ("status", "reason"),
    [(DeviceStatus.REVOKED, Reason.DEVICE_REVOKED), (DeviceStatus.BLOCKED, Reason.DEVICE_BLOCKED)],
)
def test_sp40_sp45_revoked_or_blocked_device_is_refused(phone, clock, status, reason) -> None:
    """SP-40 (revoked after transfer) and SP-45 (blocked after 5 codes) are in the same family."""
    with pytest.raises(DeviceUnusable) as info:
        verify(phone, clock, signed(phone, clock), device_status=status)
    assert info.value.reason == reason and isinstance(info.value, RequestRejected)
