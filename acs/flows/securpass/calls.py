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
from acs.securpass.signing import read_device_id, verify_signed_request
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow

__all__ = ["SignedCall", "call_args", "public_fields", "public_key_of", "verify_device_call"]


@dataclass(frozen=True)
class SignedCall:
    """A device call as received: what :func:`verify_device_call` checks."""

    method: str
    path: str
    body: bytes
    headers: Mapping[str, str]


def call_args(call: SignedCall) -> dict[str, Any]:
    """The call as the keyword arguments of :func:`verify_device_call`."""
    return {"method": call.method, "path": call.path, "body": call.body, "headers": call.headers}


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
    *,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    expected_device_id: str | None = None,
) -> DeviceRow:
    """A signed call of a known device (±120 s, nonce used once across processes); its row.

    Raises :class:`RequestRejected` (401) or :class:`DeviceUnusable` (401 revoked / 403 blocked).
    """
    device_id = read_device_id(headers)
    if expected_device_id is not None and device_id != expected_device_id:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "the path names another device")
    row = await store.get_device(session, device_id)
    if row is None:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "no such device")
    verified = verify_signed_request(
        method=method,
        path=path,
        body=body,
        headers=headers,
        expected_device_id=device_id,
        public_key=load_public_jwk(row.possession_jwk),
        device_status=DeviceStatus(row.status),
        now=now,
    )
    fresh = await store.remember_nonce(
        session, device_id=device_id, nonce=verified.nonce, expires_at=verified.nonce_expires_at
    )
    if not fresh:
        raise RequestRejected(Reason.REPLAYED_NONCE, "this nonce was already used")
    return row
