"""App-channel secure session set-up (EMV 3DS §6.2.3.2): ephemeral ECDH, Concat KDF, signed content.

For an app challenge the ACS makes a fresh P-256 key pair, agrees a secret with the SDK's
ephemeral key (``sdkEphemPubKey``), derives the 256-bit content key with the Concat KDF of
NIST SP 800-56A as EMVCo profiles it (empty AlgorithmID and PartyUInfo, PartyVInfo =
sdkReferenceNumber, SuppPubInfo = 256), signs ``{acsEphemPubKey, sdkEphemPubKey, acsURL}`` as a
compact JWS whose ``x5c`` chain leads to the scheme's DS CA, and forgets its private key.

Errors: :class:`BadSdkKey` (not a P-256 public JWK, or not on the curve) — flows map it to 203.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from acs.protocol.encoding import b64url_decode, b64url_encode

__all__ = ["AppSession", "BadSdkKey", "Signer", "begin_app_session", "concat_kdf", "load_signer"]


class BadSdkKey(ValueError):
    """sdkEphemPubKey is not a usable P-256 public JWK."""


@dataclass(frozen=True)
class Signer:
    """The ACS signing key and its certificate chain (leaf first, DS CA root excluded)."""

    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]

    @property
    def alg(self) -> str:
        return "ES256" if isinstance(self.key, ec.EllipticCurvePrivateKey) else "PS256"


@dataclass(frozen=True)
class AppSession:
    acs_signed_content: str
    cek: bytes  # 32 bytes; the flows layer stores it encrypted


def begin_app_session(
    *,
    sdk_ephem_pub_key: Mapping[str, Any],
    sdk_reference_number: str,
    acs_url: str,
    signer: Signer,
) -> AppSession:
    sdk_key = _load_sdk_key(sdk_ephem_pub_key)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    shared = ephemeral.exchange(ec.ECDH(), sdk_key)
    cek = concat_kdf(shared, party_v_info=sdk_reference_number.encode("ascii"))
    payload = {
        "acsEphemPubKey": _public_jwk(ephemeral.public_key()),
        "sdkEphemPubKey": dict(sdk_ephem_pub_key),
        "acsURL": acs_url,
    }
    return AppSession(acs_signed_content=sign_jws(payload, signer), cek=cek)


def concat_kdf(shared_secret: bytes, *, party_v_info: bytes, key_bits: int = 256) -> bytes:
    """One SHA-256 round is enough for 256 bits: counter 1, Z, then the length-prefixed info."""
    other_info = (
        _lp(b"")  # AlgorithmID: empty in the EMVCo profile (unlike RFC 7518 ECDH-ES)
        + _lp(b"")  # PartyUInfo
        + _lp(party_v_info)
        + struct.pack(">I", key_bits)
    )
    return hashlib.sha256(struct.pack(">I", 1) + shared_secret + other_info).digest()


def sign_jws(payload: Mapping[str, Any], signer: Signer) -> str:
    header = {
        "alg": signer.alg,
        "x5c": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
            for c in signer.chain
        ],
    }
    signing_input = f"{_b64url_json(header)}.{_b64url_json(payload)}".encode("ascii")
    return f"{signing_input.decode()}.{b64url_encode(_sign(signer.key, signing_input))}"


def _sign(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw r||s
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return key.sign(data, pss, hashes.SHA256())


def _load_sdk_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise BadSdkKey("sdkEphemPubKey must be an EC P-256 JWK")
    if "d" in jwk:
        raise BadSdkKey("sdkEphemPubKey carries a private key")
    try:
        x, y = (int.from_bytes(b64url_decode(jwk[c]), "big") for c in ("x", "y"))
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError, TypeError) as exc:  # a point off the curve is a ValueError
        raise BadSdkKey(f"sdkEphemPubKey is not a P-256 point: {exc}") from None


def _public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(32, "big")),
        "y": b64url_encode(numbers.y.to_bytes(32, "big")),
    }


def _lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _b64url_json(obj: Any) -> str:
    return b64url_encode(json.dumps(obj, separators=(",", ":")).encode())


def load_signer(key_pem: bytes, chain_pem: bytes) -> Signer:
    key = serialization.load_pem_private_key(key_pem, password=None)
    chain = tuple(x509.load_pem_x509_certificates(chain_pem))
    return Signer(key=key, chain=chain)  # type: ignore[arg-type]
