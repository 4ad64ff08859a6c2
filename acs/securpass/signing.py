"""Signed device calls: every call of an activated phone is signed with its possession key.

Headers (names are case-insensitive)::

    X-SP-Device:     <device id>
    X-SP-Timestamp:  <unix seconds, phone clock>
    X-SP-Nonce:      <16 to 64 random bytes, unpadded base64url>
    X-SP-Signature:  <unpadded base64url of the raw 64-byte ES256 signature r || s>

The signature covers these lines, joined by ``\\n`` with no final newline, UTF-8::

    SP-REQUEST-1
    <METHOD>
    <path with query, exactly as sent>
    <base64url SHA-256 of the body bytes; of b"" when there is none>
    <timestamp>
    <nonce>
    <device id>

The first line separates these signatures from answer signatures made by the same key. Every field
is checked against a pattern without spaces or line breaks, so no two requests share a string.
The timestamp must be within ±120 s of the server clock; the nonce must not have been seen before
(the caller's replay cache keeps it until :attr:`VerifiedRequest.nonce_expires_at`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from acs.crypto.device import BadSignature, PublicKey, verify_es256
from acs.securpass.devices import DeviceStatus
from acs.securpass.encoding import b64u_decode, sha256_b64u
from acs.securpass.errors import DeviceUnusable, Reason, RequestRejected

__all__ = [
    "DEVICE_HEADER",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "SKEW",
    "TIMESTAMP_HEADER",
    "VerifiedRequest",
    "canonical_request",
    "read_device_id",
    "verify_signed_request",
]

DEVICE_HEADER = "X-SP-Device"
TIMESTAMP_HEADER = "X-SP-Timestamp"
NONCE_HEADER = "X-SP-Nonce"
SIGNATURE_HEADER = "X-SP-Signature"
SKEW = timedelta(seconds=120)
LABEL = "SP-REQUEST-1"

_METHOD = re.compile(r"[A-Z]{3,7}")
_PATH = re.compile(r"/[!-~]*")  # printable ASCII, no space
_DEVICE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TIMESTAMP = re.compile(r"[0-9]{1,10}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{22,86}")  # 16 to 64 bytes
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{86}")  # 64 bytes


@dataclass(frozen=True)
class VerifiedRequest:
    """A call that passed :func:`verify_signed_request`.

    The caller records ``nonce`` in its replay cache until ``nonce_expires_at`` (after that the
    timestamp check alone refuses a replay).
    """

    device_id: str
    timestamp: datetime
    nonce: str
    nonce_expires_at: datetime


def canonical_request(
    *, method: str, path: str, body: bytes, timestamp: str, nonce: str, device_id: str
) -> bytes:
    """The bytes a device signs for one call (see the module docstring)."""
    _require(_METHOD, method, "method")
    _require(_PATH, path, "path")
    _require(_TIMESTAMP, timestamp, "timestamp")
    _require(_NONCE, nonce, "nonce")
    _require(_DEVICE_ID, device_id, "device id")
    lines = (LABEL, method, path, sha256_b64u(body), timestamp, nonce, device_id)
    return "\n".join(lines).encode("utf-8")


def read_device_id(headers: Mapping[str, str]) -> str:
    """The claimed device id, so the caller can load that device's key before verifying."""
    device_id = _header(headers, DEVICE_HEADER)
    _require(_DEVICE_ID, device_id, DEVICE_HEADER)
    return device_id


def verify_signed_request(
    *,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    expected_device_id: str,
    public_key: PublicKey,
    device_status: DeviceStatus,
    now: datetime,
    seen_nonce: Callable[[str], bool] | None = None,
    skew: timedelta = SKEW,
) -> VerifiedRequest:
    """Check a signed device call; raise :class:`RequestRejected` (or :class:`DeviceUnusable`).

    ``seen_nonce`` (optional) answers whether a nonce was already used; without it the caller must
    check :attr:`VerifiedRequest.nonce` against its cache itself.
    """
    device_id = read_device_id(headers)
    if device_id != expected_device_id:
        raise RequestRejected(Reason.DEVICE_MISMATCH, f"signed by {device_id!r}")
    timestamp, nonce = _header(headers, TIMESTAMP_HEADER), _header(headers, NONCE_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    _require(_SIGNATURE, signature, SIGNATURE_HEADER)
    message = canonical_request(
        method=method, path=path, body=body, timestamp=timestamp, nonce=nonce, device_id=device_id
    )
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if abs(signed_at - now) > skew:
        raise RequestRejected(Reason.STALE_TIMESTAMP, f"{signed_at} is {signed_at - now} from now")
    try:
        verify_es256(public_key, b64u_decode(signature), message)
    except BadSignature as exc:
        raise RequestRejected(Reason.BAD_SIGNATURE, str(exc)) from None
    # Only after the signature: an unsigned call must not be able to fill the replay cache.
    if seen_nonce is not None and seen_nonce(nonce):
        raise RequestRejected(Reason.REPLAYED_NONCE, "this nonce was already used")
    _require_usable(device_status)
    return VerifiedRequest(device_id, signed_at, nonce, nonce_expires_at=signed_at + skew)


def _require_usable(status: DeviceStatus) -> None:
    if status == DeviceStatus.REVOKED:
        raise DeviceUnusable(Reason.DEVICE_REVOKED, "the device was revoked; wipe its keys")
    if status == DeviceStatus.BLOCKED:
        raise DeviceUnusable(Reason.DEVICE_BLOCKED, "too many wrong codes; re-activate (SP-45)")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; aiohttp's CIMultiDict is not
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    if value is None:
        raise RequestRejected(Reason.MISSING_HEADER, f"{name} is missing")
    return value


def _require(pattern: re.Pattern[str], value: str, name: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise RequestRejected(Reason.MALFORMED_HEADER, f"{name} is malformed")
