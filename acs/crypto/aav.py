"""Mastercard-style AAV: 20 bytes with an HMAC-SHA-256 over the transaction (our own layout).

Mastercard's SPA2 layout is not public (reference emv3ds.md §4.2, "UNSURE"), so this layout is
ours, shaped after SPA (3DS 1.0) and what is known of SPA2: a control byte, indicators, a
sequence number and a truncated HMAC-SHA-256 under a per-range key. Replace it with SPA2 (ideally
on an HSM) before certification; the facade in ``authvalue.py`` is the only caller.

Layout (0-based bytes)::

    0       control byte: 0x8C authenticated (Y), 0x86 attempts (A) - the SPA values
    1       key id (BCD of the range's key indicator, "01".."99")
    2       method (BCD of the Visa-style second factor code, "01".."10", "98", "99")
    3-9     sequence number: the ATN, 7 bytes big-endian (< 10**16)
    10-19   MAC: HMAC-SHA-256(key, bytes 0-9 || transaction data), leftmost 10 bytes

The transaction data are length-prefixed UTF-8 fields under a domain tag: PAN, amount (minor
units, decimal), currency (ISO 4217 numeric), merchant name (normalised), acsTransID
(lower case) and transStatus. Binding amount, currency and merchant name is the dynamic linking
of PSD2 RTS Art. 5: any change of amount or payee invalidates the value.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from acs.protocol.codes import TransStatus

__all__ = [
    "CONTROL_BYTES",
    "AavFields",
    "TransactionData",
    "aav_bytes",
    "aav_mac",
    "normalise_merchant",
    "parse_aav",
]

CONTROL_BYTES: dict[str, int] = {TransStatus.AUTHENTICATED: 0x8C, TransStatus.ATTEMPTED: 0x86}
MAC_BYTES = 10
SEQ_BYTES = 7
_DOMAIN = b"securpass-acs/aav/v1"


@dataclass(frozen=True)
class TransactionData:
    """What the AAV MAC binds besides its own header."""

    pan: str
    amount_minor: int | None
    currency: str | None
    merchant_name: str | None
    acs_trans_id: str
    trans_status: str


@dataclass(frozen=True)
class AavFields:
    """A decoded AAV."""

    control: int
    key_id: str
    method: str
    sequence: int
    header: bytes
    mac: bytes


def normalise_merchant(name: str | None) -> str:
    """NFKC, case-folded, inner whitespace collapsed: the same merchant always MACs the same."""
    if name is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _field(value: str) -> bytes:
    data = value.encode("utf-8")
    return len(data).to_bytes(2, "big") + data


def _transaction_bytes(tx: TransactionData) -> bytes:
    amount = "" if tx.amount_minor is None else str(tx.amount_minor)
    fields = (
        tx.pan,
        amount,
        tx.currency or "",
        normalise_merchant(tx.merchant_name),
        tx.acs_trans_id.lower(),
        tx.trans_status,
    )
    return _DOMAIN + b"".join(_field(f) for f in fields)


def aav_mac(key: bytes, header: bytes, tx: TransactionData) -> bytes:
    """The truncated HMAC-SHA-256 over the header and the transaction data."""
    return hmac.new(key, header + _transaction_bytes(tx), hashlib.sha256).digest()[:MAC_BYTES]


def aav_bytes(*, key: bytes, key_id: str, method: str, sequence: int, tx: TransactionData) -> bytes:
    """Assemble the 20-byte AAV for one authentication."""
    control = CONTROL_BYTES[tx.trans_status]
    header = bytes([control]) + bytes.fromhex(key_id + method) + sequence.to_bytes(SEQ_BYTES, "big")
    return header + aav_mac(key, header, tx)


def parse_aav(raw: bytes) -> AavFields:
    """Split a 20-byte AAV into its fields (the caller checks the length)."""
    header = raw[:10]
    return AavFields(
        control=raw[0],
        key_id=raw[1:2].hex(),
        method=raw[2:3].hex(),
        sequence=int.from_bytes(raw[3:10], "big"),
        header=header,
        mac=raw[10:],
    )
