"""The code in transit (JWE bound to a context) and at rest (peppered scrypt verifier)."""

from __future__ import annotations

import time

import pytest

from acs.crypto.codes import (
    DecryptionFailed,
    MalformedVerifier,
    check_code,
    decrypt_code,
    enrolment_context,
    make_verifier,
    operation_context,
)
from merchant_simulator.phone import encrypt_code

PEPPER = b"p" * 32


def test_phone_encrypted_code_opens_for_its_context(server_code_key, server_code_jwk) -> None:
    """SP-24 / RTS Art. 22: the phone's JWE opens on the server for the bound operation only."""
    token = encrypt_code("4821", server_code_jwk, "op:abc")
    assert "4821" not in token
    assert decrypt_code(token, server_key=server_code_key, expected_context="op:abc") == "4821"


def test_code_bound_to_enrolment(server_code_key, server_code_jwk) -> None:
    """A code chosen at enrolment is bound to ``enrol:<id>``, and is refused as ``op:<id>``."""
    token = encrypt_code("4821", server_code_jwk, enrolment_context("e1"))
    assert decrypt_code(token, server_key=server_code_key, expected_context="enrol:e1") == "4821"
    with pytest.raises(DecryptionFailed):
        decrypt_code(token, server_key=server_code_key, expected_context=operation_context("e1"))


def test_code_for_another_operation_is_refused(server_code_key, server_code_jwk) -> None:
    """A JWE captured for one operation opens nowhere else."""
    token = encrypt_code("4821", server_code_jwk, "op:abc")
    with pytest.raises(DecryptionFailed):
        decrypt_code(token, server_key=server_code_key, expected_context="op:abd")


def test_changed_context_header_breaks_decryption(server_code_key, server_code_jwk) -> None:
    """The protected header is the GCM additional data: rewriting ``ctx`` breaks the tag."""
    import base64
    import json

    token = encrypt_code("4821", server_code_jwk, "op:abc")
    head, rest = token.split(".", 1)
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    forged_head = base64.urlsafe_b64encode(json.dumps(header | {"ctx": "op:xyz"}).encode())
    forged = forged_head.rstrip(b"=").decode() + "." + rest
    with pytest.raises(DecryptionFailed):
        decrypt_code(forged, server_key=server_code_key, expected_context="op:xyz")


def test_wrong_server_key_is_refused(server_code_jwk) -> None:
    """A JWE for another server key does not open."""
    from cryptography.hazmat.primitives.asymmetric import ec

    token = encrypt_code("4821", server_code_jwk, "op:abc")
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(DecryptionFailed):
        decrypt_code(token, server_key=other, expected_context="op:abc")


@pytest.mark.parametrize("token", ["", "a.b.c", "x" * 5000, "....", "!!.a.b.c.d"])
def test_garbage_is_refused(server_code_key, token: str) -> None:
    """Anything that is not a compact JWE of sane size is refused without reaching jwcrypto."""
    with pytest.raises(DecryptionFailed):
        decrypt_code(token, server_key=server_code_key, expected_context="op:abc")


def test_non_digit_content_is_refused(server_code_key, server_code_jwk) -> None:
    """A JWE whose content is not a short digit string is refused."""
    token = encrypt_code("abcd", server_code_jwk, "op:abc")
    with pytest.raises(DecryptionFailed, match="not a code"):
        decrypt_code(token, server_key=server_code_key, expected_context="op:abc")


def test_verifier_accepts_the_code_and_refuses_others() -> None:
    """The verifier checks the right code, refuses a wrong one, and does not contain the code."""
    verifier = make_verifier("4821", pepper=PEPPER)
    assert verifier.startswith("sp1$scrypt$4096$8$1$") and "4821" not in verifier
    assert check_code("4821", verifier, pepper=PEPPER)
    assert not check_code("4822", verifier, pepper=PEPPER)


def test_verifier_depends_on_pepper_and_salt() -> None:
    """Without the pepper the verifier is useless; the same code gives different verifiers."""
    verifier = make_verifier("4821", pepper=PEPPER)
    assert not check_code("4821", verifier, pepper=b"q" * 32)
    assert make_verifier("4821", pepper=PEPPER) != verifier
    fixed = make_verifier("4821", pepper=PEPPER, salt=b"s" * 16)
    assert fixed == make_verifier("4821", pepper=PEPPER, salt=b"s" * 16)


@pytest.mark.parametrize(
    "verifier", ["", "4821", "sp1$scrypt$16384$8$1$abc", "sp1$scrypt$4194304$8$1$abcd$abcd"]
)
def test_malformed_verifier_is_an_error(verifier: str) -> None:
    """A stored verifier that cannot be parsed (or would exhaust memory) raises."""
    with pytest.raises(MalformedVerifier):
        check_code("4821", verifier, pepper=PEPPER)


def test_verifier_is_fast_enough_for_tests() -> None:
    """One check costs well under a quarter of a second."""
    verifier = make_verifier("4821", pepper=PEPPER)
    start = time.perf_counter()
    check_code("4821", verifier, pepper=PEPPER)
    assert time.perf_counter() - start < 0.25


def test_verifiers_made_with_the_older_cost_still_check():
    """The scrypt parameters travel in the verifier: an n=2**14 verifier still verifies."""
    import base64
    import hashlib
    import hmac as hmac_

    pepper, salt = b"p" * 32, b"s" * 16
    keyed = hmac_.new(pepper, b"securpass-code-v1\x004821", hashlib.sha256).digest()
    digest = hashlib.scrypt(keyed, salt=salt, n=2**14, r=8, p=1, dklen=32, maxmem=64 * 2**20)

    def b64u(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    old = f"sp1$scrypt$16384$8$1${b64u(salt)}${b64u(digest)}"
    assert check_code("4821", old, pepper=pepper)
    assert not check_code("4822", old, pepper=pepper)
