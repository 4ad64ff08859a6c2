"""The SDK's secure channel: verify acsSignedContent, derive the CEK, JWE both ways.

EMV 3DS §6.2.3.3 / §6.2.4 as an SDK implements it: the x5c chain must lead to the DS CA the SDK
trusts; ECDH-ES with the ACS ephemeral key; Concat KDF (SHA-256, AlgorithmID and PartyUInfo
empty, PartyVInfo = sdkReferenceNumber, SuppPubInfo = 256); A128CBC-HS256 with the whole key and
a random IV, or A128GCM with the left half (SDK → ACS, IV 00…00||counter) and the right half
(ACS → SDK, IV FF…FF||counter).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class ChannelError(Exception):
    """The ACS side of the channel misbehaved (bad JWE, counter, IV)."""


class SignedContentInvalid(ChannelError):
    """acsSignedContent does not verify against the trusted DS CA."""


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_ephemeral() -> tuple[ec.EllipticCurvePrivateKey, dict[str, str]]:
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64u(numbers.x.to_bytes(32, "big")),
        "y": _b64u(numbers.y.to_bytes(32, "big")),
    }
    return key, jwk


def verify_signed_content(jws: str, trusted_ca: x509.Certificate) -> dict[str, Any]:
    """Check the x5c chain up to ``trusted_ca`` and the signature; return the payload."""
    try:
        head_b64, body_b64, sig_b64 = jws.split(".")
        header = json.loads(_unb64u(head_b64))
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    except (ValueError, KeyError) as exc:
        raise SignedContentInvalid(f"unreadable JWS: {exc}") from None
    for child, parent in zip(chain, [*chain[1:], trusted_ca], strict=True):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            raise SignedContentInvalid("x5c chain does not lead to the DS CA") from None
    signing_input = f"{head_b64}.{body_b64}".encode()
    _verify(chain[0].public_key(), header.get("alg"), signing_input, _unb64u(sig_b64))
    return json.loads(_unb64u(body_b64))


def _verify(key: Any, alg: str | None, data: bytes, signature: bytes) -> None:
    try:
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        elif alg == "PS256" and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, data, pss, hashes.SHA256())
        else:
            raise SignedContentInvalid(f"alg {alg!r} does not fit the key")
    except InvalidSignature:
        raise SignedContentInvalid("signature does not verify") from None


def derive_cek(
    sdk_key: ec.EllipticCurvePrivateKey, acs_jwk: dict[str, str], sdk_reference_number: str
) -> bytes:
    acs_key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_unb64u(acs_jwk["x"]), "big"),
        int.from_bytes(_unb64u(acs_jwk["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    z = sdk_key.exchange(ec.ECDH(), acs_key)
    ref = sdk_reference_number.encode()
    other = (
        (0).to_bytes(4, "big")
        + (0).to_bytes(4, "big")
        + len(ref).to_bytes(4, "big")
        + ref
        + (256).to_bytes(4, "big")
    )
    return hashlib.sha256((1).to_bytes(4, "big") + z + other).digest()


@dataclass
class Channel:
    """One challenge's secure channel on the SDK side, with its two counters."""

    cek: bytes
    kid: str
    enc: str = "A128CBC-HS256"
    sdk_counter: int = 0  # next sdkCounterStoA
    acs_counter: int = 0  # next acsCounterAtoS expected
    sent: list[dict[str, Any]] = field(default_factory=list)

    def seal(self, message: dict[str, Any]) -> str:
        message = {**message, "sdkCounterStoA": f"{self.sdk_counter:03d}"}
        self.sent.append(message)
        header = _b64u(json.dumps({"alg": "dir", "enc": self.enc, "kid": self.kid}).encode())
        plain = json.dumps(message).encode()
        if self.enc == "A128GCM":
            iv = bytes(11) + bytes([self.sdk_counter])
            sealed = AESGCM(self.cek[:16]).encrypt(iv, plain, header.encode())
            ct, tag = sealed[:-16], sealed[-16:]
        else:
            iv = os.urandom(16)
            padder = sym_padding.PKCS7(128).padder()
            data = padder.update(plain) + padder.finalize()
            enc = Cipher(algorithms.AES(self.cek[16:]), modes.CBC(iv)).encryptor()
            ct = enc.update(data) + enc.finalize()
            tag = _hs256_tag(self.cek[:16], header.encode(), iv, ct)
        self.sdk_counter += 1
        return ".".join([header, "", _b64u(iv), _b64u(ct), _b64u(tag)])

    def open(self, jwe: str) -> dict[str, Any]:
        header_b64, key, iv_b64, ct_b64, tag_b64 = jwe.split(".")
        header = json.loads(_unb64u(header_b64))
        if header != {"alg": "dir", "enc": self.enc, "kid": self.kid} or key:
            raise ChannelError(f"unexpected JWE header {header}")
        iv, ct, tag = _unb64u(iv_b64), _unb64u(ct_b64), _unb64u(tag_b64)
        aad = header_b64.encode()
        if self.enc == "A128GCM":
            if iv != b"\xff" * 11 + bytes([self.acs_counter]):
                raise ChannelError("CRes GCM IV breaks the FF…FF||counter rule")
            plain = AESGCM(self.cek[16:]).decrypt(iv, ct + tag, aad)
        else:
            if not hmac.compare_digest(_hs256_tag(self.cek[:16], aad, iv, ct), tag):
                raise ChannelError("CRes tag does not verify")
            dec = Cipher(algorithms.AES(self.cek[16:]), modes.CBC(iv)).decryptor()
            unpadder = sym_padding.PKCS7(128).unpadder()
            plain = unpadder.update(dec.update(ct) + dec.finalize()) + unpadder.finalize()
        message = json.loads(plain)
        if message.get("acsCounterAtoS") != f"{self.acs_counter:03d}":
            raise ChannelError(f"acsCounterAtoS {message.get('acsCounterAtoS')} unexpected")
        self.acs_counter += 1
        return message


def _hs256_tag(mac_key: bytes, aad: bytes, iv: bytes, ct: bytes) -> bytes:
    al = (len(aad) * 8).to_bytes(8, "big")
    return hmac.new(mac_key, aad + iv + ct + al, hashlib.sha256).digest()[:16]
