"""PAN protection: a keyed HMAC to find a card, AES-GCM with a key id to recover its PAN.

The PAN is never stored in clear. ``lookup_key`` is HMAC-SHA-256 under one lookup key (changing
that key means recomputing every ``pan_hmac``). ``seal`` encrypts under the *active* key id and
binds that id as associated data; ``open`` accepts every known key id, so keys rotate by adding
a new one, making it active, and re-sealing at leisure.

Errors::

    PanVaultError
    ├── UnknownKeyId        no key with this id
    └── PanDecryptionFailed the blob was altered, truncated or sealed under another key
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from acs.logs import mask_pan

__all__ = ["PanDecryptionFailed", "PanVault", "PanVaultError", "UnknownKeyId", "mask_pan"]

NONCE_BYTES = 12
_AAD_PREFIX = b"acs/pan/v1:"


class PanVaultError(Exception):
    """Base of the PAN vault errors. Messages never contain a PAN."""


class UnknownKeyId(PanVaultError):
    def __init__(self, kid: str) -> None:
        super().__init__(f"no PAN key with id {kid!r}")
        self.kid = kid


class PanDecryptionFailed(PanVaultError):
    def __init__(self, kid: str) -> None:
        super().__init__(f"PAN ciphertext does not open under key {kid!r}")
        self.kid = kid


class PanVault:
    """Seals, opens and indexes PANs. ``keys`` maps key id to a 128/192/256-bit AES key."""

    def __init__(self, hmac_key: bytes, keys: Mapping[str, bytes], active_kid: str) -> None:
        if len(hmac_key) < 32:
            raise ValueError("the PAN lookup key must be at least 32 bytes")
        if active_kid not in keys:
            raise ValueError(f"active PAN key id {active_kid!r} is not among the keys")
        self._hmac_key = hmac_key
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_kid = active_kid

    def __repr__(self) -> str:
        return f"PanVault(kids={sorted(self._aead)}, active_kid={self.active_kid!r})"

    def lookup_key(self, pan: str) -> bytes:
        """The 32-byte HMAC-SHA-256 of the PAN: the ``cards.pan_hmac`` index."""
        return hmac.new(self._hmac_key, pan.encode("ascii"), hashlib.sha256).digest()

    def seal(self, pan: str) -> tuple[str, bytes]:
        """Encrypt under the active key: ``(kid, nonce | ciphertext | tag)``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.active_kid].encrypt(
            nonce, pan.encode("ascii"), _aad(self.active_kid)
        )
        return self.active_kid, nonce + sealed

    def open(self, kid: str, blob: bytes) -> str:
        """Decrypt a blob sealed under ``kid`` (any known key, not only the active one)."""
        aead = self._aead.get(kid)
        if aead is None:
            raise UnknownKeyId(kid)
        try:
            plain = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(kid))
        except (InvalidTag, ValueError):
            raise PanDecryptionFailed(kid) from None
        return plain.decode("ascii")

    @staticmethod
    def mask(pan: str) -> str:
        """See :func:`mask_pan`: safe to log and to show."""
        return mask_pan(pan)


def _aad(kid: str) -> bytes:
    return _AAD_PREFIX + kid.encode("utf-8")
