"""The Sécur'Pass code on the server: opened from the phone's JWE, kept only as a peppered verifier.

The code never travels or rests in clear (PSD2 RTS Art. 22):

- **In transit** the phone encrypts it to the server's P-256 code key as a compact JWE with
  ``alg=ECDH-ES``, ``enc=A256GCM`` and a protected header ``ctx`` = ``enrol:<enrolment id>`` or
  ``op:<operation id>``. In compact JWE the protected header is the AES-GCM additional data, so
  ``ctx`` is authenticated: a JWE captured for one operation opens nowhere else.
- **At rest** the server keeps ``sp1$scrypt$<n>$<r>$<p>$<salt>$<hash>`` where
  ``hash = scrypt(HMAC-SHA256(pepper, "securpass-code-v1" 0x00 code), salt, n=2**12, r=8, p=1,
  dklen=32)`` and ``salt`` is 16 random bytes per device. The pepper (a server secret, HSM in
  production) is what really protects a 4-digit code: with the database alone nothing can be
  tried, and with the pepper too, 10 000 candidates fall whatever the cost parameter. So scrypt
  is kept cheap (about 15–20 ms and 4 MiB per check, on every approval with the code); the
  parameters travel in the verifier, so older ``n=2**14`` verifiers still check.

Nothing here logs, formats or stores the clear code.

Errors of this module::

    CodeCryptoError         base; jwcrypto exceptions never leave this module
    ├── DecryptionFailed    wrong algorithms, wrong context, bad JWE, or content not a code
    └── MalformedVerifier   a stored verifier cannot be parsed
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwe, jwk
from jwcrypto.common import JWException

from acs.protocol.encoding import b64url_decode_strict, b64url_encode

__all__ = [
    "CODE_ALG",
    "CODE_ENC",
    "CodeCryptoError",
    "DecryptionFailed",
    "MalformedVerifier",
    "check_code",
    "code_key_public_jwk",
    "decrypt_code",
    "enrolment_context",
    "make_verifier",
    "operation_context",
]

CODE_ALG = "ECDH-ES"
CODE_ENC = "A256GCM"
_MAX_JWE_CHARS = 2048
_MAX_CODE_BYTES = 16
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _HASH_BYTES, _SALT_BYTES = 2**12, 8, 1, 32, 16
_LABEL = b"securpass-code-v1\x00"
_VERIFIER = re.compile(r"sp1\$scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)")


class CodeCryptoError(Exception):
    """A code envelope or verifier is refused."""


class DecryptionFailed(CodeCryptoError):
    """The JWE does not open to a code for this context (the reason is for the log only)."""


class MalformedVerifier(CodeCryptoError):
    """A stored verifier is not in the ``sp1$scrypt$…`` format."""


def enrolment_context(enrolment_id: str) -> str:
    return f"enrol:{enrolment_id}"


def operation_context(operation_id: str) -> str:
    return f"op:{operation_id}"


def code_key_public_jwk(server_key: ec.EllipticCurvePrivateKey, *, kid: str) -> dict[str, Any]:
    """The public JWK the phone encrypts codes to (sent at enrolment)."""
    public = jwk.JWK.from_pyca(server_key.public_key()).export_public(as_dict=True)
    return {**public, "alg": CODE_ALG, "use": "enc", "kid": kid}


def decrypt_code(
    token: str, *, server_key: ec.EllipticCurvePrivateKey, expected_context: str
) -> str:
    """Open a compact JWE and return the code, if ``ctx`` equals ``expected_context``."""
    if not isinstance(token, str) or len(token) > _MAX_JWE_CHARS or token.count(".") != 4:
        raise DecryptionFailed("not a compact JWE of acceptable size")
    header = _protected_header(token)
    if header.get("alg") != CODE_ALG or header.get("enc") != CODE_ENC:
        raise DecryptionFailed(f"expected {CODE_ALG}/{CODE_ENC}")
    if "zip" in header or "crit" in header:
        raise DecryptionFailed("zip and crit are not accepted")
    context = header.get("ctx")
    if not isinstance(context, str) or not hmac.compare_digest(
        context.encode("utf-8"), expected_context.encode("utf-8")
    ):
        raise DecryptionFailed("the code is bound to another context")
    return _as_code(_decrypt(token, server_key))


def make_verifier(code: str, *, pepper: bytes, salt: bytes | None = None) -> str:
    """The stored form of a code: peppered HMAC, then scrypt with a per-device salt."""
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = _stretch(code, pepper=pepper, salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"sp1$scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64u(salt)}${_b64u(digest)}"


def check_code(code: str, verifier: str, *, pepper: bytes) -> bool:
    """Whether ``code`` matches ``verifier``; the final comparison is constant time."""
    match = _VERIFIER.fullmatch(verifier)
    if match is None:
        raise MalformedVerifier("the stored verifier is not sp1$scrypt$…")
    n, r, p = (int(g) for g in match.group(1, 2, 3))
    if not (n <= 2**16 and r <= 16 and p <= 4):
        raise MalformedVerifier("the stored scrypt parameters are out of range")
    salt, expected = _b64u_decode(match.group(4)), _b64u_decode(match.group(5))
    actual = _stretch(code, pepper=pepper, salt=salt, n=n, r=r, p=p)
    return hmac.compare_digest(actual, expected)


def _stretch(code: str, *, pepper: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    keyed = hmac.new(pepper, _LABEL + code.encode("utf-8"), hashlib.sha256).digest()
    return hashlib.scrypt(keyed, salt=salt, n=n, r=r, p=p, dklen=_HASH_BYTES, maxmem=64 * 2**20)


def _protected_header(token: str) -> dict[str, Any]:
    try:
        header = json.loads(_b64u_decode(token.split(".", 1)[0]))
    except (ValueError, UnicodeDecodeError):
        raise DecryptionFailed("the protected header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise DecryptionFailed("the protected header is not a JSON object")
    return header


def _decrypt(token: str, server_key: ec.EllipticCurvePrivateKey) -> bytes:
    envelope = jwe.JWE(algs=[CODE_ALG, CODE_ENC])
    try:
        envelope.deserialize(token, key=jwk.JWK.from_pyca(server_key))
    except (JWException, ValueError, TypeError, KeyError) as exc:
        raise DecryptionFailed(f"the JWE does not open ({exc.__class__.__name__})") from None
    payload: bytes = envelope.payload  # jwcrypto has no type hints
    return payload


def _as_code(plaintext: bytes) -> str:
    if len(plaintext) > _MAX_CODE_BYTES or not plaintext.isdigit():
        raise DecryptionFailed("the content is not a code")
    return plaintext.decode("ascii")


_b64u, _b64u_decode = b64url_encode, b64url_decode_strict
