"""The app-channel JWE (EMV 3DS §6.2.4): compact, ``alg=dir``, A128CBC-HS256 or A128GCM.

Key use (one 32-byte CEK from :func:`acs.crypto.appchannel.concat_kdf`):

- A128CBC-HS256: the whole key both ways (RFC 7518 §5.2: MAC key = bytes 0-15, AES key =
  16-31); the IV is whatever the sender chose (random here, counter-padded in some SDKs).
- A128GCM: CReq (SDK → ACS) under the left 16 bytes with IV ``00…00 || sdkCounterStoA``,
  CRes (ACS → SDK) under the right 16 bytes with IV ``FF…FF || acsCounterAtoS``.

The CEK is kept at rest sealed with AES-GCM under ``keyring.session_wrap``, AAD = acsTransID
(:func:`seal_cek` / :func:`open_cek`).

Errors::

    JoseError
    ├── DecryptionFailed    not a compact JWE, wrong header, bad tag, bad IV, too large
    └── UnsupportedEnc      an ``enc`` outside the 3DS allow-list (flows: 302 too)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from acs.protocol.encoding import Base64Error, b64url_decode, b64url_encode

__all__ = [
    "CBC",
    "ENCS",
    "GCM",
    "DecryptionFailed",
    "JoseError",
    "Received",
    "UnsupportedEnc",
    "decrypt_creq",
    "encrypt_cres",
    "open_cek",
    "peek_header",
    "seal_cek",
]

CBC, GCM = "A128CBC-HS256", "A128GCM"
ENCS = (CBC, GCM)
MAX_PLAINTEXT = 64 * 1024


class JoseError(Exception):
    """Base of the app-channel JOSE errors."""


class DecryptionFailed(JoseError):
    """The JWE could not be read or authenticated."""


class UnsupportedEnc(DecryptionFailed):
    """``enc`` is not A128CBC-HS256 or A128GCM."""


@dataclass(frozen=True)
class Received:
    """A decrypted CReq: its ``enc`` (the CRes answers in the same) and its JSON body."""

    enc: str
    kid: str
    message: dict[str, Any]


def seal_cek(wrap_key: bytes, cek: bytes, acs_trans_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(wrap_key).encrypt(nonce, cek, acs_trans_id.encode())


def open_cek(wrap_key: bytes, sealed: bytes, acs_trans_id: str) -> bytes:
    try:
        return AESGCM(wrap_key).decrypt(sealed[:12], sealed[12:], acs_trans_id.encode())
    except (InvalidTag, ValueError):
        raise DecryptionFailed("sealed content key does not open") from None


def peek_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE (to find the session by ``kid``)."""
    parts = token.strip().split(".")
    if len(parts) != 5:
        raise DecryptionFailed("not a compact JWE (5 parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (Base64Error, ValueError, UnicodeDecodeError):
        raise DecryptionFailed("protected header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise DecryptionFailed("protected header is not an object")
    return header


def decrypt_creq(token: str, cek: bytes, *, expected_kid: str, counter: int) -> Received:
    """Check the header (alg dir, enc, kid), decrypt with the CReq key, parse the JSON."""
    header = peek_header(token)
    enc = header.get("enc")
    if header.get("alg") != "dir" or header.get("kid") != expected_kid:
        raise DecryptionFailed("header alg must be dir and kid the acsTransID")
    if enc not in ENCS:
        raise UnsupportedEnc(f"enc {enc!r} not allowed")
    protected, encrypted_key, iv, ciphertext, tag = token.strip().split(".")
    if encrypted_key:
        raise DecryptionFailed("alg dir has no encrypted key")
    try:
        raw = [b64url_decode(p) for p in (iv, ciphertext, tag)]
    except Base64Error:
        raise DecryptionFailed("a JWE part is not base64url") from None
    if len(raw[1]) > MAX_PLAINTEXT + 16:
        raise DecryptionFailed("ciphertext too large")
    aad = protected.encode("ascii")
    if enc == GCM:
        plain = _gcm_open(cek[:16], raw[0], raw[1], raw[2], aad, _iv(0x00, counter))
    else:
        plain = _cbc_open(cek, raw[0], raw[1], raw[2], aad)
    try:
        message = json.loads(plain)
    except (ValueError, UnicodeDecodeError):
        raise DecryptionFailed("plaintext is not JSON") from None
    if not isinstance(message, dict):
        raise DecryptionFailed("plaintext is not a JSON object")
    return Received(enc=enc, kid=expected_kid, message=message)


def encrypt_cres(message: dict[str, Any], cek: bytes, *, enc: str, kid: str, counter: int) -> str:
    """Encrypt a CRes as a compact JWE in ``enc``, with the GCM IV rule or a random CBC IV."""
    header = {"alg": "dir", "enc": enc, "kid": kid}
    protected = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    aad = protected.encode("ascii")
    plain = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    if enc == GCM:
        iv = _iv(0xFF, counter)
        sealed = AESGCM(cek[16:]).encrypt(iv, plain, aad)
        ciphertext, tag = sealed[:-16], sealed[-16:]
    elif enc == CBC:
        iv = os.urandom(16)
        ciphertext, tag = _cbc_seal(cek, iv, plain, aad)
    else:
        raise UnsupportedEnc(f"enc {enc!r} not allowed")
    parts = (protected, "", b64url_encode(iv), b64url_encode(ciphertext), b64url_encode(tag))
    return ".".join(parts)


def _iv(fill: int, counter: int) -> bytes:
    return bytes([fill]) * 11 + bytes([counter & 0xFF])


def _gcm_open(key: bytes, iv: bytes, ct: bytes, tag: bytes, aad: bytes, expected: bytes) -> bytes:
    if not hmac.compare_digest(iv, expected):
        raise DecryptionFailed("GCM IV does not follow the counter rule")
    try:
        return AESGCM(key).decrypt(iv, ct + tag, aad)
    except (InvalidTag, ValueError):
        raise DecryptionFailed("GCM tag does not verify") from None


def _cbc_tag(mac_key: bytes, aad: bytes, iv: bytes, ct: bytes) -> bytes:
    al = struct.pack(">Q", len(aad) * 8)
    return hmac.new(mac_key, aad + iv + ct + al, hashlib.sha256).digest()[:16]


def _cbc_open(cek: bytes, iv: bytes, ct: bytes, tag: bytes, aad: bytes) -> bytes:
    if len(iv) != 16 or len(ct) % 16 or not ct:
        raise DecryptionFailed("CBC IV or ciphertext has a wrong length")
    if not hmac.compare_digest(_cbc_tag(cek[:16], aad, iv, ct), tag):
        raise DecryptionFailed("CBC-HS256 tag does not verify")
    decryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ct) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionFailed("bad padding") from None


def _cbc_seal(cek: bytes, iv: bytes, plain: bytes, aad: bytes) -> tuple[bytes, bytes]:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    ct = encryptor.update(padded) + encryptor.finalize()
    return ct, _cbc_tag(cek[:16], aad, iv, ct)
