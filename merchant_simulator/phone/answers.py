"""Phone-side handling of an operation: check what is shown, then approve or refuse it."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from cryptography.hazmat.primitives.asymmetric import ec

from merchant_simulator.phone.keys import PhoneKeys
from merchant_simulator.phone.signing import b64u, encrypt_code, es256_sign

__all__ = [
    "approve_with_biometrics",
    "approve_with_code",
    "display_amount",
    "read_operation",
    "refuse",
    "sign_answer",
    "summary_hash",
]


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def summary_hash(summary: dict[str, Any]) -> str:
    """What the phone signs: base64url SHA-256 of the summary's canonical JSON."""
    return b64u(hashlib.sha256(_canonical(summary)).digest())


def read_operation(challenge: dict[str, Any]) -> dict[str, Any]:
    """Refuse to show an operation whose hash does not match the summary displayed (RTS Art. 5)."""
    if summary_hash(challenge["summary"]) != challenge["summary_hash"]:
        raise ValueError("the summary does not match its hash: show nothing")
    return challenge


# ISO 4217 numeric → alphabetic, for the currencies a French cardholder meets most.
CURRENCIES = {
    "978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "124": "CAD", "392": "JPY",
    "036": "AUD", "752": "SEK", "208": "DKK", "578": "NOK", "985": "PLN", "203": "CZK",
    "348": "HUF", "946": "RON", "156": "CNY", "504": "MAD", "788": "TND", "012": "DZD",
}  # fmt: skip


def display_amount(summary: dict[str, Any]) -> str:
    """French display of the amount as the challenge page shows it (SP-52), with Babel:
    ``41,99 €``, ``1,01 $US``; never a numeric currency code."""
    exponent = int(summary["exponent"])
    value = Decimal(int(summary["amount_minor"])).scaleb(-exponent)
    code = CURRENCIES.get(str(summary["currency"]))
    if code is None:
        return f"{format_decimal(value, locale='fr_FR')} (devise {summary['currency']})"
    # The value's own exponent decides the decimals (purchaseExponent), as on the challenge page.
    pattern = "#,##0" + ("." + "0" * exponent if exponent else "") + "\u00a0¤"
    return format_currency(value, code, pattern, locale="fr_FR", currency_digits=False)


def sign_answer(fields: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """Sign the answer fields (plus ``purpose``) and return the wire answer."""
    signature = es256_sign(key, _canonical(fields | {"purpose": "SP-ANSWER-1"}))
    return fields | {"signature": b64u(signature)}


def approve_with_code(
    keys: PhoneKeys, challenge: dict[str, Any], code: str, server_code_jwk: dict[str, Any]
) -> dict[str, Any]:
    """Approve with the Sécur'Pass code: encrypted to ``op:<id>``, signed by the possession key."""
    fields = _fields(keys, read_operation(challenge), "approve") | {
        "method": "code",
        "code_jwe": encrypt_code(code, server_code_jwk, f"op:{challenge['operation_id']}"),
    }
    return sign_answer(fields, keys.possession)


def approve_with_biometrics(keys: PhoneKeys, challenge: dict[str, Any]) -> dict[str, Any]:
    """Approve with biometrics: signed by the biometric key (the OS unlocks it after a match)."""
    if keys.biometric is None:
        raise ValueError("biometrics are not enabled on this phone")
    fields = _fields(keys, read_operation(challenge), "approve") | {"method": "biometric"}
    return sign_answer(fields, keys.biometric)


def refuse(keys: PhoneKeys, challenge: dict[str, Any], reason: str = "not_me") -> dict[str, Any]:
    """ "Je refuse ce paiement": ``not_me`` declares fraud, ``cancelled`` just stops (SP-54/55)."""
    fields = _fields(keys, read_operation(challenge), "refuse") | {"reason": reason}
    return sign_answer(fields, keys.possession)


def _fields(keys: PhoneKeys, challenge: dict[str, Any], decision: str) -> dict[str, Any]:
    if keys.device_id is None:
        raise ValueError("the phone is not activated: no device id")
    return {
        "operation_id": challenge["operation_id"],
        "device_id": keys.device_id,
        "decision": decision,
        "nonce": challenge["nonce"],
        "summary_hash": summary_hash(challenge["summary"]),
        "counter": keys.next_counter(),
    }
