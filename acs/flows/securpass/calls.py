"""What a phone sends: its signed calls, verified against the stored device and the nonces
already used, and the public keys it submits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.crypto.device import DeviceKeyError, PublicKey, load_public_jwk
from acs.flows.securpass.errors import InvalidRequest
from acs.securpass.devices import DeviceStatus
from acs.securpass.errors import Reason, RequestRejected
from acs.securpass.signing import VerifiedRequest, read_device_id, verify_signed_request
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow

__all__ = [
    "SignedCall",
    "check_signature",
    "public_fields",
    "public_key_of",
    "spend_nonce",
    "verify_device_call",
]


@dataclass(frozen=True)
class SignedCall:
    """A device call as received: what :func:`verify_device_call` checks."""

    method: str
    path: str
    body: bytes
    headers: Mapping[str, str]


def public_key_of(jwk: Any, *, name: str) -> PublicKey:
    """A phone's public JWK, or :class:`InvalidRequest` ``invalid_key``."""
    try:
        return load_public_jwk(jwk)
    except DeviceKeyError as exc:
        raise InvalidRequest("invalid_key", f"{name}: {exc}") from None


def public_fields(jwk: dict[str, Any]) -> dict[str, str]:
    """What is stored of a phone's JWK: the public EC key and nothing else it may carry."""
    return {k: jwk[k] for k in ("kty", "crv", "x", "y")}


async def verify_device_call(
    session: Session,
    call: SignedCall,
    *,
    now: datetime,
    expected_device_id: str | None = None,
) -> DeviceRow:
    """A signed call of a known device (±120 s, nonce used once across processes); its row.

    Raises :class:`RequestRejected` (401) or :class:`DeviceUnusable` (401 revoked / 403 blocked).
    """
    device_id = read_device_id(call.headers)
    if expected_device_id is not None and device_id != expected_device_id:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "the path names another device")
    row = await store.get_device(session, device_id)
    if row is None:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "no such device")
    public_key = load_public_jwk(row.possession_jwk)
    verified = check_signature(call, device_id, public_key, DeviceStatus(row.status), now=now)
    await spend_nonce(session, verified)
    return row


def check_signature(
    call: SignedCall, device_id: str, public_key: PublicKey, status: DeviceStatus, *, now: datetime
) -> VerifiedRequest:
    """The call signed by ``device_id`` with ``public_key`` within ±120 s; its nonce unspent."""
    return verify_signed_request(
        method=call.method,
        path=call.path,
        body=call.body,
        headers=call.headers,
        expected_device_id=device_id,
        public_key=public_key,
        device_status=status,
        now=now,
    )


async def spend_nonce(session: Session, verified: VerifiedRequest) -> None:
    """Record the call's nonce (across processes); a nonce used before is a replay."""
    fresh = await store.remember_nonce(
        session,
        device_id=verified.device_id,
        nonce=verified.nonce,
        expires_at=verified.nonce_expires_at,
    )
    if not fresh:
        raise RequestRejected(Reason.REPLAYED_NONCE, "this nonce was already used")
