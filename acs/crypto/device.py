"""Device keys: P-256 public keys as JWK (RFC 7517/7518), their RFC 7638 thumbprint, ES256 checks.

Errors of this module::

    DeviceKeyError          base; library exceptions never leave this module
    ├── InvalidDeviceKey    the JWK is not a public P-256 key on the curve
    └── BadSignature        an ES256 signature does not verify (or is not 64 bytes)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from acs.protocol.encoding import b64url_encode

__all__ = [
    "BadSignature",
    "DeviceKeyError",
    "InvalidDeviceKey",
    "PublicKey",
    "jwk_thumbprint",
    "load_public_jwk",
    "public_jwk",
    "verify_es256",
]

PublicKey = ec.EllipticCurvePublicKey
_COORDINATE_BYTES = 32
_B64U_32 = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]")
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class DeviceKeyError(Exception):
    """A device key or signature is refused."""


class InvalidDeviceKey(DeviceKeyError):
    """The JWK is not an acceptable public P-256 key."""


class BadSignature(DeviceKeyError):
    """The signature does not verify."""


def load_public_jwk(jwk: dict[str, Any]) -> PublicKey:
    """Load a public P-256 JWK; refuse other curves, private members and points off the curve."""
    if not isinstance(jwk, dict):
        raise InvalidDeviceKey("a JWK must be a JSON object")
    if _PRIVATE_MEMBERS & jwk.keys():
        raise InvalidDeviceKey("the JWK carries private key material")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InvalidDeviceKey(
            f"expected kty EC / crv P-256, got {jwk.get('kty')}/{jwk.get('crv')}"
        )
    if jwk.get("alg", "ES256") not in ("ES256", "ECDH-ES"):
        raise InvalidDeviceKey(f"unexpected alg {jwk.get('alg')!r}")
    x, y = _coordinate(jwk, "x"), _coordinate(jwk, "y")
    try:
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise InvalidDeviceKey("the point is not on the P-256 curve") from None


def public_jwk(key: PublicKey) -> dict[str, str]:
    """The minimal public JWK of a P-256 key (the members RFC 7638 hashes)."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise InvalidDeviceKey(f"expected a P-256 key, got {key.curve.name}")
    numbers = key.public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": _b64u_int(numbers.x), "y": _b64u_int(numbers.y)}


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (b64url) of a public P-256 JWK; the key is validated first."""
    minimal = public_jwk(load_public_jwk(jwk))
    canonical = json.dumps(minimal, sort_keys=True, separators=(",", ":")).encode("ascii")
    return _b64u(hashlib.sha256(canonical).digest())


def verify_es256(public_key: PublicKey, signature: bytes, data: bytes) -> None:
    """Verify a raw ``r || s`` (64 bytes, JWS form) ES256 signature over ``data``."""
    if not isinstance(public_key.curve, ec.SECP256R1):
        raise BadSignature("ES256 needs a P-256 key")
    if len(signature) != 2 * _COORDINATE_BYTES:
        raise BadSignature(f"an ES256 signature is 64 bytes, got {len(signature)}")
    r = int.from_bytes(signature[:_COORDINATE_BYTES], "big")
    s = int.from_bytes(signature[_COORDINATE_BYTES:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignature("the signature does not verify") from None


def _coordinate(jwk: dict[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidDeviceKey(f"the JWK has no {name} coordinate")
    # urlsafe_b64decode silently skips characters outside the alphabet: check the text first.
    if not _B64U_32.fullmatch(value):
        raise InvalidDeviceKey(f"the {name} coordinate must be 32 bytes of unpadded base64url")
    raw = base64.urlsafe_b64decode(value + "=")
    return int.from_bytes(raw, "big")


_b64u = b64url_encode


def _b64u_int(value: int) -> str:
    return _b64u(value.to_bytes(_COORDINATE_BYTES, "big"))
