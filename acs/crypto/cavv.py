"""Visa-style CAVV: 20 bytes, "CVV with ATN" (Visa Secure Appendix D; reference emv3ds.md §4.1).

Layout (1-based bytes, BCD unless told)::

    1       authentication results code, from transStatus (Table D-2)
    2       second factor authentication code (Table D-3)
    3       CAVV key indicator
    4-5     CAVV output: 3 digits, left-padded with a zero nibble
    6-7     unpredictable number: the 4 low-order digits of the ATN
    8-15    ATN, 16 digits
    16      version (left nibble) and authentication action (right nibble): 0x00
    17-20   IP address: zero for 3DS 2.x

The CAVV output is the standard Visa CVV computation over PAN(16) + ATN low 4 digits (in place of
the expiry) + results code + second factor code (in place of the service code), under a CVK pair.
It binds the card, the outcome, the method and the ATN; it does **not** bind amount or merchant.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, modes

try:  # cryptography >= 43 keeps TripleDES among the "decrepit" algorithms
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

from acs.protocol.codes import TransStatus

__all__ = ["RESULTS_CODES", "CavvFields", "cavv_bytes", "cvv", "parse_cavv"]

# Table D-2: transStatus -> authentication results code.
_S = TransStatus
RESULTS_CODES: dict[str, int] = {
    _S.AUTHENTICATED: 0,
    _S.ATTEMPTED: 7,
    _S.NOT_PERFORMED: 5,
    _S.NOT_AUTHENTICATED: 9,
    _S.REJECTED: 9,
}
ATN_LIMIT = 10**16
LENGTH = 20


@dataclass(frozen=True)
class CavvFields:
    """The fields of a decoded CAVV, as digit strings."""

    results_code: str
    second_factor: str
    key_indicator: str
    cvv_output: str
    atn_low: str
    atn: str
    version_action: int
    tail: bytes


def _ecb_encrypt(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(TripleDES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def _decimalise(hex_digits: str) -> str:
    """Digits first, then the letters A-F read as 0-5 (the CVV decimalisation table)."""
    digits = [c for c in hex_digits if c.isdigit()]
    letters = [str(int(c, 16) - 10) for c in hex_digits if not c.isdigit()]
    return "".join(digits + letters)


def cvv(pan: str, expiry: str, service_code: str, cvk_a: bytes, cvk_b: bytes) -> str:
    """The 3-digit Visa CVV of ``pan``/``expiry``/``service_code`` under the pair (A, B)."""
    data = (pan + expiry + service_code).ljust(32, "0")
    first, second = bytes.fromhex(data[:16]), bytes.fromhex(data[16:32])
    step = _ecb_encrypt(cvk_a * 3, first)  # single DES under key A, as TDES K1=K2=K3
    step = bytes(x ^ y for x, y in zip(step, second, strict=True))
    step = _ecb_encrypt(cvk_a + cvk_b + cvk_a, step)  # TDES EDE, K1=A, K2=B, K3=A
    return _decimalise(step.hex().upper())[:3]


def _pan16(pan: str) -> str:
    """PAN left-padded with zeros to 16 digits, or its rightmost 16 when longer."""
    return pan.zfill(16)[-16:]


def cavv_output(
    pan: str, atn: str, results_code: int, second_factor: str, cvk_a: bytes, cvk_b: bytes
) -> str:
    """CVV with ATN: the ATN's 4 low digits stand for the expiry, the codes for the service code."""
    return cvv(_pan16(pan), atn[-4:], f"{results_code}{second_factor}", cvk_a, cvk_b)


def cavv_bytes(
    *, pan: str, trans_status: str, second_factor: str, key_indicator: str,
    atn: int, cvk_a: bytes, cvk_b: bytes,
) -> bytes:  # fmt: skip
    """Assemble the 20-byte CAVV for one authentication."""
    results = RESULTS_CODES[trans_status]
    atn_digits = f"{atn:016d}"
    output = cavv_output(pan, atn_digits, results, second_factor, cvk_a, cvk_b)
    head = f"{results:02d}{second_factor}{key_indicator}0{output}{atn_digits[-4:]}{atn_digits}"
    return bytes.fromhex(head) + bytes(5)


def parse_cavv(raw: bytes) -> CavvFields:
    """Split a 20-byte CAVV into its fields (the caller checks the length)."""
    digits = raw[:15].hex()
    return CavvFields(
        results_code=digits[1],
        second_factor=digits[2:4],
        key_indicator=digits[4:6],
        cvv_output=digits[6:10],
        atn_low=digits[10:14],
        atn=digits[14:30],
        version_action=raw[15],
        tail=raw[16:],
    )
