"""authenticationValue per scheme: generate it for a Y/A outcome, verify one later.

Visa ranges get a CAVV (``cavv.py``, CVV with ATN, Visa Secure Appendix D); Mastercard ranges get
an AAV (``aav.py``, HMAC-SHA-256, a layout of our own until SPA2 is available). Both are 20 bytes,
sent as 28 characters of standard base64 (EMV 3DS 2.1/2.2 authenticationValue; reference
emv3ds.md §4). Only the AAV binds amount, currency and merchant name; a CAVV is tied to its
transaction by the ATN, which the caller stores with the transaction.

Errors of this module::

    AuthValueError              base; carries ``check``, the name of what failed
    ├── AuthValueInputError     generate/verify got inputs that cannot be encoded
    │                           (a status without a results code, a bad method, ATN out of range)
    └── AuthValueMismatch       verify: the value does not match the inputs or the keys

Messages never contain a PAN or key material.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass

from acs.config import Scheme
from acs.crypto import aav, cavv

__all__ = [
    "AuthInput",
    "AuthValueError",
    "AuthValueInputError",
    "AuthValueMismatch",
    "SchemeKeys",
    "VerifiedAuthValue",
    "generate",
    "verify",
]

_TWO_DIGITS = re.compile(r"\d\d")
_PAN = re.compile(r"\d{12,19}")


class AuthValueError(Exception):
    """Base of the authentication value errors; ``check`` names the failing check."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail


class AuthValueInputError(AuthValueError):
    """The inputs cannot be encoded into an authentication value."""


class AuthValueMismatch(AuthValueError):
    """The value does not match the transaction, the outcome or the keys."""


@dataclass(frozen=True)
class AuthInput:
    """What an authentication value is computed over."""

    pan: str
    trans_status: str
    # Two-digit Visa second-factor code style: "01".."10", "99" frictionless RBA, "98" attempts.
    method: str
    amount_minor: int | None
    currency: str | None
    merchant_name: str | None
    acs_trans_id: str


@dataclass(frozen=True)
class SchemeKeys:
    """A card range's keys: the CVK pair (Visa) and the AAV key (Mastercard)."""

    cvk_a: bytes
    cvk_b: bytes
    aav_key: bytes
    key_indicator: str = "01"


@dataclass(frozen=True)
class VerifiedAuthValue:
    """A value that verified, with what it carried."""

    scheme: Scheme
    atn: int
    trans_status: str
    method: str
    key_indicator: str


def generate(scheme: Scheme, keys: SchemeKeys, inp: AuthInput, *, atn: int) -> str:
    """The 28-character base64 authenticationValue for ``inp`` under the range's ``keys``."""
    _check_input(scheme, keys, inp)
    if not 0 <= atn < cavv.ATN_LIMIT:
        raise AuthValueInputError("atn", "must be a 16-digit number")
    if scheme is Scheme.VISA:
        raw = cavv.cavv_bytes(
            pan=inp.pan, trans_status=inp.trans_status, second_factor=inp.method,
            key_indicator=keys.key_indicator, atn=atn, cvk_a=keys.cvk_a, cvk_b=keys.cvk_b,
        )  # fmt: skip
    else:
        raw = aav.aav_bytes(
            key=keys.aav_key, key_id=keys.key_indicator, method=inp.method,
            sequence=atn, tx=_transaction(inp),
        )  # fmt: skip
    return base64.b64encode(raw).decode("ascii")


def verify(
    scheme: Scheme,
    keys: SchemeKeys,
    value: str,
    inp: AuthInput,
    *,
    expected_atn: int | None = None,
) -> VerifiedAuthValue:
    """Check ``value`` against ``inp`` and ``keys``; raise :class:`AuthValueMismatch` if not.

    Pass ``expected_atn`` (the ATN stored with the transaction) whenever it is known: the CAVV
    cryptogram covers only the ATN's 4 low digits, so only this check pins the other 12.
    """
    _check_input(scheme, keys, inp)
    raw = _decode(value)
    verified = (
        _verify_cavv(keys, raw, inp) if scheme is Scheme.VISA else _verify_aav(keys, raw, inp)
    )
    if expected_atn is not None and verified.atn != expected_atn:
        raise AuthValueMismatch("atn", "the value carries another ATN")
    return verified


def _check_input(scheme: Scheme, keys: SchemeKeys, inp: AuthInput) -> None:
    if not _PAN.fullmatch(inp.pan):
        raise AuthValueInputError("pan", "must be 12 to 19 digits")
    if not _TWO_DIGITS.fullmatch(inp.method):
        raise AuthValueInputError("method", f"expected two digits, got {inp.method!r}")
    if not _TWO_DIGITS.fullmatch(keys.key_indicator):
        raise AuthValueInputError("key_indicator", "expected two digits")
    statuses = cavv.RESULTS_CODES if scheme is Scheme.VISA else aav.CONTROL_BYTES
    if inp.trans_status not in statuses:
        raise AuthValueInputError("trans_status", f"no {scheme} value for {inp.trans_status!r}")


def _decode(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AuthValueMismatch("format", "not standard base64") from None
    if len(raw) != cavv.LENGTH:
        raise AuthValueMismatch("format", f"{len(raw)} bytes, expected {cavv.LENGTH}")
    return raw


def _verify_cavv(keys: SchemeKeys, raw: bytes, inp: AuthInput) -> VerifiedAuthValue:
    try:
        fields = cavv.parse_cavv(raw)
        atn = int(fields.atn)
    except ValueError:
        raise AuthValueMismatch("format", "CAVV digits are not BCD") from None
    results = cavv.RESULTS_CODES[inp.trans_status]
    if fields.results_code != str(results):
        raise AuthValueMismatch("trans_status", f"results code {fields.results_code}")
    if fields.second_factor != inp.method:
        raise AuthValueMismatch("method", f"got {fields.second_factor}, expected {inp.method}")
    if fields.key_indicator != keys.key_indicator:
        raise AuthValueMismatch("key_indicator", f"got {fields.key_indicator}")
    if fields.atn_low != fields.atn[-4:] or fields.version_action or any(fields.tail):
        raise AuthValueMismatch("format", "inconsistent ATN or non-zero reserved bytes")
    expected = "0" + cavv.cavv_output(
        inp.pan, fields.atn, results, inp.method, keys.cvk_a, keys.cvk_b
    )
    if not hmac.compare_digest(fields.cvv_output, expected):
        raise AuthValueMismatch("cryptogram", "CAVV output does not verify")
    return VerifiedAuthValue(Scheme.VISA, atn, inp.trans_status, inp.method, keys.key_indicator)


def _verify_aav(keys: SchemeKeys, raw: bytes, inp: AuthInput) -> VerifiedAuthValue:
    fields = aav.parse_aav(raw)
    if fields.control != aav.CONTROL_BYTES[inp.trans_status]:
        raise AuthValueMismatch("trans_status", f"control byte {fields.control:#04x}")
    if fields.key_id != keys.key_indicator:
        raise AuthValueMismatch("key_indicator", f"got {fields.key_id}")
    if fields.method != inp.method:
        raise AuthValueMismatch("method", f"got {fields.method}, expected {inp.method}")
    expected = aav.aav_mac(keys.aav_key, fields.header, _transaction(inp))
    if not hmac.compare_digest(fields.mac, expected):
        raise AuthValueMismatch("cryptogram", "AAV MAC does not verify")
    return VerifiedAuthValue(
        Scheme.MASTERCARD, fields.sequence, inp.trans_status, inp.method, keys.key_indicator
    )


def _transaction(inp: AuthInput) -> aav.TransactionData:
    return aav.TransactionData(
        pan=inp.pan,
        amount_minor=inp.amount_minor,
        currency=inp.currency,
        merchant_name=inp.merchant_name,
        acs_trans_id=inp.acs_trans_id,
        trans_status=inp.trans_status,
    )
