"""The PAN vault: HMAC lookup, AES-GCM sealing bound to a key id, rotation, masking."""

from __future__ import annotations

import pytest

from acs.crypto.pan import PanDecryptionFailed, PanVault, UnknownKeyId, mask_pan

PAN = "4970100000000014"


def test_mask_shows_first_six_and_last_four() -> None:
    """A masked PAN keeps only the first six and last four digits, grouped by four."""
    assert mask_pan(PAN) == "4970 10•• •••• 0014"
    assert mask_pan("5132850000000000008") == "5132 85•• •••• •••0 008"


def test_lookup_key_is_stable_and_keyed(vault: PanVault) -> None:
    """The lookup key is 32 bytes, the same for the same PAN, and depends on the HMAC key."""
    other = PanVault(b"\x99" * 32, {"k": b"\x01" * 32}, "k")
    assert len(vault.lookup_key(PAN)) == 32
    assert vault.lookup_key(PAN) == vault.lookup_key(PAN)
    assert vault.lookup_key(PAN) != other.lookup_key(PAN)


def test_seal_then_open_round_trips_under_the_active_key(vault: PanVault) -> None:
    """Sealing uses the active kid, never repeats a ciphertext, and opens back to the PAN."""
    kid, blob = vault.seal(PAN)
    assert kid == "k2" and PAN.encode() not in blob
    assert vault.seal(PAN)[1] != blob
    assert vault.open(kid, blob) == PAN


def test_rotation_old_keys_still_open() -> None:
    """After rotation a blob sealed under the old key still opens; new ones use the new key."""
    old = PanVault(b"\x11" * 32, {"k1": b"\x21" * 32}, "k1")
    kid, blob = old.seal(PAN)
    rotated = PanVault(b"\x11" * 32, {"k1": b"\x21" * 32, "k2": b"\x22" * 32}, "k2")
    assert rotated.open(kid, blob) == PAN
    assert rotated.seal(PAN)[0] == "k2"


def test_the_key_id_is_bound(vault: PanVault) -> None:
    """A blob presented under another kid, an unknown kid or altered does not open."""
    kid, blob = vault.seal(PAN)
    with pytest.raises(PanDecryptionFailed):
        vault.open("k1", blob)
    with pytest.raises(UnknownKeyId):
        vault.open("k9", blob)
    with pytest.raises(PanDecryptionFailed):
        vault.open(kid, blob[:-1] + bytes([blob[-1] ^ 1]))


def test_repr_hides_keys(vault: PanVault) -> None:
    """The vault's repr names key ids only."""
    assert "\\x22" not in repr(vault) and "k2" in repr(vault)
