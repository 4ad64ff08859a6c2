"""Device keys as JWK, RFC 7638 thumbprints and raw ES256 signatures (acs.crypto.device)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from acs.crypto.device import (
    BadSignature,
    InvalidDeviceKey,
    jwk_thumbprint,
    load_public_jwk,
    public_jwk,
    verify_es256,
)
from merchant_simulator.phone import PhoneKeys
from merchant_simulator.phone.signing import es256_sign

# RFC 7638 has no EC example; this P-256 key and its thumbprint come from RFC 9449 (DPoP) §A/§4.
RFC_KEY = {
    "kty": "EC",
    "crv": "P-256",
    "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
    "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
}
RFC_THUMBPRINT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"


def test_thumbprint_matches_published_vector() -> None:
    """RFC 7638 thumbprint of a published P-256 key (RFC 9449's example)."""
    assert jwk_thumbprint(RFC_KEY) == RFC_THUMBPRINT


def test_thumbprint_ignores_optional_members() -> None:
    """RFC 7638 hashes only crv, kty, x, y; kid/alg/use do not change it."""
    assert jwk_thumbprint(RFC_KEY | {"kid": "k", "alg": "ES256", "use": "sig"}) == RFC_THUMBPRINT


def test_load_and_export_round_trip() -> None:
    """A loaded key exports back to the same minimal JWK."""
    assert public_jwk(load_public_jwk(RFC_KEY)) == {k: RFC_KEY[k] for k in sorted(RFC_KEY)}


@pytest.mark.parametrize(
    "bad",
    [
        RFC_KEY | {"crv": "P-384"},
        RFC_KEY | {"kty": "RSA"},
        RFC_KEY | {"d": "AAAA"},
        RFC_KEY | {"alg": "RS256"},
        RFC_KEY | {"x": RFC_KEY["x"] + "="},
        RFC_KEY | {"x": RFC_KEY["x"][:-1] + "!"},
        RFC_KEY | {"y": RFC_KEY["x"]},  # a point off the curve
        {k: v for k, v in RFC_KEY.items() if k != "y"},
        "not a dict",
    ],
)
def test_load_public_jwk_rejects_bad_keys(bad) -> None:
    """Other curves, private members, other algs, bad encodings and off-curve points are refused."""
    with pytest.raises(InvalidDeviceKey):
        load_public_jwk(bad)


def test_phone_signature_verifies_and_tampering_fails() -> None:
    """A raw r||s signature made by the phone library verifies; changed data does not."""
    keys = PhoneKeys.generate()
    public = load_public_jwk(keys.possession_jwk())
    signature = es256_sign(keys.possession, b"hello")
    verify_es256(public, signature, b"hello")
    with pytest.raises(BadSignature):
        verify_es256(public, signature, b"hellO")


def test_der_or_short_signatures_are_refused() -> None:
    """Only the 64-byte JWS form is accepted, never DER."""
    key = ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives import hashes

    der = key.sign(b"x", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(BadSignature, match="64 bytes"):
        verify_es256(key.public_key(), der, b"x")


def test_signature_by_another_key_fails() -> None:
    """A signature by another key does not verify."""
    signer, other = PhoneKeys.generate(), PhoneKeys.generate()
    with pytest.raises(BadSignature):
        verify_es256(
            load_public_jwk(other.possession_jwk()), es256_sign(signer.possession, b"m"), b"m"
        )


def test_phone_jwk_has_no_padding() -> None:
    """Phone JWKs use unpadded base64url coordinates of 32 bytes."""
    jwk = PhoneKeys.generate().possession_jwk()
    assert "=" not in jwk["x"] and len(base64.urlsafe_b64decode(jwk["x"] + "=")) == 32
