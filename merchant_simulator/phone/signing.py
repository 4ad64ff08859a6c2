"""Phone-side signing of device calls and encryption of the Sécur'Pass code."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwcrypto import jwe, jwk

__all__ = ["b64u", "encrypt_code", "es256_sign", "sign_request"]


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def es256_sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ES256 in JWS form: the raw 32-byte r and s, concatenated."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_request(
    key: ec.EllipticCurvePrivateKey,
    *,
    method: str,
    path: str,
    body: bytes,
    device_id: str,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four X-SP-* headers of a signed call (protocol doc, "Signed device calls")."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or b64u(secrets.token_bytes(16))
    body_hash = b64u(hashlib.sha256(body).digest())
    text = "\n".join(["SP-REQUEST-1", method.upper(), path, body_hash, stamp, nonce, device_id])
    signature = es256_sign(key, text.encode("utf-8"))
    return {
        "X-SP-Device": device_id,
        "X-SP-Timestamp": stamp,
        "X-SP-Nonce": nonce,
        "X-SP-Signature": b64u(signature),
    }


def encrypt_code(code: str, server_public_jwk: dict[str, Any], context: str) -> str:
    """Compact JWE (ECDH-ES, A256GCM) of the code, bound to ``context`` by the ``ctx`` header."""
    recipient = jwk.JWK(
        **{k: v for k, v in server_public_jwk.items() if k in ("kty", "crv", "x", "y")}
    )
    header = {"alg": "ECDH-ES", "enc": "A256GCM", "ctx": context}
    if "kid" in server_public_jwk:
        header["kid"] = server_public_jwk["kid"]
    envelope = jwe.JWE(code.encode("ascii"), protected=json.dumps(header))
    envelope.add_recipient(recipient)
    return envelope.serialize(compact=True)
