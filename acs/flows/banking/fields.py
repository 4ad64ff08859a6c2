"""Checks of the values a banking operation carries: IBAN, amounts, currencies, texts.

Each reader takes the request's ``fields`` object and a field name, and returns the value or
raises :class:`~acs.flows.securpass.errors.InvalidRequest` (400) naming the field as
``fields.<name>``: the bank's developers see at once which value is wrong and why.
Texts are refused, not neutralised, when they hold a control or format character
(:func:`acs.text.first_unsafe`): a bidi override in a beneficiary's name is an attack, and the
bank must know its request was refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from babel.numbers import get_currency_precision

from acs.flows.securpass.errors import InvalidRequest
from acs.protocol.amounts import CURRENCIES
from acs.text import first_unsafe

__all__ = [
    "MAX_AMOUNT_MINOR",
    "amount",
    "choice",
    "currency",
    "email",
    "iban",
    "integer",
    "iso_date",
    "last4",
    "masked_iban",
    "only_known",
    "sha256_hex",
    "text",
]

MAX_AMOUNT_MINOR = 10**12  # ten billion euros: no transfer is larger; bounds the summary
# Alpha code → (numeric, exponent), from the table the challenge pages format with.
_ALPHA = {alpha: numeric for numeric, alpha in CURRENCIES.items()}
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
# ISO 13616 lengths of the SEPA countries a French bank sees most (others: 15 … 34).
_IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "DE": 22, "BE": 16, "ES": 24, "IT": 27, "NL": 18, "LU": 20, "PT": 25,
    "GB": 22, "CH": 21, "AT": 20, "IE": 22, "FI": 18, "GR": 27, "PL": 28, "SE": 24, "DK": 18,
}  # fmt: skip
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_LAST4 = re.compile(r"[0-9]{4}")


def _bad(name: str, problem: str) -> InvalidRequest:
    return InvalidRequest("invalid_field", f"fields.{name}: {problem}", field=f"fields.{name}")


def _present(fields: Mapping[str, Any], name: str) -> Any:
    if fields.get(name) is None:
        raise InvalidRequest("missing_field", f"fields.{name} is required", field=f"fields.{name}")
    return fields[name]


def only_known(fields: Mapping[str, Any], known: Sequence[str]) -> None:
    """Refuse a field the type does not have (a typo would silently not be bound)."""
    for name in fields:
        if name not in known:
            raise InvalidRequest(
                "unknown_field", f"fields.{name} is not a field of this type",
                field=f"fields.{name}",
            )  # fmt: skip


def text(
    fields: Mapping[str, Any], name: str, *, max_length: int, required: bool = True
) -> str | None:
    """A printable text of 1 to ``max_length`` characters, spaces trimmed."""
    if not required and fields.get(name) is None:
        return None
    value = _present(fields, name)
    if not isinstance(value, str):
        raise _bad(name, "expected a string")
    value = value.strip()
    if not value or len(value) > max_length:
        raise _bad(name, f"expected 1 to {max_length} characters")
    unsafe = first_unsafe(value)
    if unsafe is not None:
        raise _bad(name, f"holds the control or format character {unsafe[1]} at {unsafe[0]}")
    return value


def choice(
    fields: Mapping[str, Any], name: str, allowed: Sequence[str], *, default: str | None = None
) -> str:
    value = fields.get(name, default)
    if value is None:
        value = _present(fields, name)
    if value not in allowed:
        raise _bad(name, f"expected one of: {', '.join(allowed)}")
    return str(value)


def integer(fields: Mapping[str, Any], name: str, *, low: int, high: int) -> int:
    value = _present(fields, name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(name, f"expected an integer from {low} to {high}")
    return value


def amount(fields: Mapping[str, Any], name: str = "amount_minor") -> int:
    """A positive amount in minor units (cents): ``25000`` is 250,00 €."""
    return integer(fields, name, low=1, high=MAX_AMOUNT_MINOR)


def currency(fields: Mapping[str, Any], name: str = "currency") -> tuple[str, int]:
    """ISO 4217 alpha (``EUR``, the default) → (numeric code, exponent)."""
    alpha = fields.get(name, "EUR")
    if not isinstance(alpha, str) or alpha not in _ALPHA:
        raise _bad(name, f"expected an ISO 4217 code among: {', '.join(sorted(_ALPHA))}")
    numeric = _ALPHA[alpha]
    return numeric, get_currency_precision(alpha)  # ISO 4217 minor units (JPY 0, KWD 3)


def iban(fields: Mapping[str, Any], name: str = "iban") -> str:
    """An IBAN (ISO 13616): format, the country's length, the mod-97 check digits; returned
    in its electronic form (no spaces, upper case)."""
    value = _present(fields, name)
    if not isinstance(value, str):
        raise _bad(name, "expected a string")
    compact = value.replace(" ", "").upper()
    if not _IBAN.fullmatch(compact):
        raise _bad(name, "not an IBAN (country, 2 check digits, 11 to 30 letters or digits)")
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        raise _bad(name, f"a {compact[:2]} IBAN has {expected} characters, not {len(compact)}")
    if _mod97(compact) != 1:
        raise _bad(name, "the IBAN check digits are wrong")
    return compact


def _mod97(compact: str) -> int:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def masked_iban(value: str) -> str:
    """``FR76 •••• 0427``: the country, check digits and last four (what a screen shows)."""
    return f"{value[:4]} •••• {value[-4:]}"


def email(fields: Mapping[str, Any], name: str) -> str:
    value = text(fields, name, max_length=254)
    assert value is not None
    if not _EMAIL.fullmatch(value):
        raise _bad(name, "not an e-mail address")
    return value


def sha256_hex(fields: Mapping[str, Any], name: str) -> str:
    value = _present(fields, name)
    if not isinstance(value, str) or not _HEX64.fullmatch(value.lower()):
        raise _bad(name, "expected the SHA-256 of the document, 64 hexadecimal digits")
    return value.lower()


def last4(fields: Mapping[str, Any], name: str = "card_last4") -> str:
    value = _present(fields, name)
    if not isinstance(value, str) or not _LAST4.fullmatch(value):
        raise _bad(name, "expected the card's last 4 digits")
    return value


def iso_date(fields: Mapping[str, Any], name: str) -> str | None:
    """An optional ``YYYY-MM-DD`` (a deferred transfer's execution date)."""
    value = fields.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) else _no_date()
    except ValueError:
        raise _bad(name, "expected a date YYYY-MM-DD") from None


def _no_date() -> str:
    raise ValueError("not a string")
