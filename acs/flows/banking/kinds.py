"""Per operation type: its fields, the summary the phone shows and signs, the SMS's words.

What the signature binds (RTS Art. 5; the summary hash covers every value below, so a changed
one breaks the phone's answer or the SMS code):

================== ===================================================================
type               bound fields
================== ===================================================================
transfer           amount, currency, payee name and IBAN, kind, execution date, label
pis_payment        amount, currency, payee (merchant), its IBAN when given
cardless_withdrawal amount, currency, card
add_beneficiary    name and IBAN
e_signature        title and SHA-256 of the document, channel (distance or branch)
card_limit_increase new limit, currency, limit kind, duration in days, card
contact_change     the new e-mail or the new postal address
login              channel (web or app) and device
view_card_pin      card
wallet_enrolment   wallet and card
================== ===================================================================

Viewing the PIN and the digital card (wallet enrolment) exist only with Sécur'Pass (SP-6):
:data:`SECURPASS_ONLY`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.flows.banking import fields as f
from acs.flows.securpass.errors import InvalidRequest
from acs.protocol.amounts import format_amount
from acs.securpass.operations import OperationSummary, OperationType, format_time

__all__ = ["BANKING_TYPES", "SECURPASS_ONLY", "Described", "describe"]

SECURPASS_ONLY = frozenset({OperationType.VIEW_CARD_PIN, OperationType.WALLET_ENROLMENT})
TRANSFER_KINDS = ("classic", "instant", "deferred", "standing", "paylib", "international")
WALLETS = {"apple_pay": "Apple Pay", "samsung_pay": "Samsung Pay", "google_pay": "Google Pay"}
CHANNELS = {"web": "site web", "app": "application Banxo"}
_NO_AMOUNT = (0, "978", 2)


@dataclass(frozen=True)
class Described:
    """A checked request of one type: its summary and the words of its SMS (``sms_action``
    completes "votre code 123456 pour …")."""

    summary: OperationSummary
    sms_action: str
    device_id: str | None = None  # a login's Sécur'Pass device id, for SP-42


@dataclass(frozen=True)
class _Parts:
    payee: str
    extra: dict[str, str]
    sms_action: str
    money: tuple[int, str, int] = _NO_AMOUNT
    card_last4: str = ""
    device_id: str | None = None


def _money(fields: Mapping[str, Any], name: str = "amount_minor") -> tuple[int, str, int, str]:
    minor = f.amount(fields, name)
    numeric, exponent = f.currency(fields)
    return minor, numeric, exponent, format_amount(minor, exponent, numeric)


def _transfer(fields: Mapping[str, Any]) -> _Parts:
    minor, numeric, exponent, shown = _money(fields)
    name = f.text(fields, "payee_name", max_length=70)
    iban = f.iban(fields, "payee_iban")
    kind = f.choice(fields, "kind", TRANSFER_KINDS, default="classic")
    extra = {"payee_name": name, "payee_iban": iban, "kind": kind}
    if (when := f.iso_date(fields, "execution_date")) is not None:
        extra["execution_date"] = when
    if (label := f.text(fields, "label", max_length=140, required=False)) is not None:
        extra["label"] = label
    payee = f"{name} ({f.masked_iban(iban)})"
    action = f"le virement de {shown} vers {payee}"
    return _Parts(payee, _clean(extra), action, (minor, numeric, exponent))


def _pis_payment(fields: Mapping[str, Any]) -> _Parts:
    minor, numeric, exponent, shown = _money(fields)
    merchant = f.text(fields, "payee_name", max_length=70)
    extra = {"payee_name": merchant}
    if fields.get("payee_iban") is not None:
        extra["payee_iban"] = f.iban(fields, "payee_iban")
    action = f"payer {shown} à {merchant} par virement"
    return _Parts(f"{merchant} (virement)", _clean(extra), action, (minor, numeric, exponent))


def _cardless_withdrawal(fields: Mapping[str, Any]) -> _Parts:
    minor, numeric, exponent, shown = _money(fields)
    card = f.last4(fields)
    action = f"un retrait SM@RT'retrait de {shown} (carte •••• {card})"
    return _Parts("SM@RT'retrait", {}, action, (minor, numeric, exponent), card)


def _add_beneficiary(fields: Mapping[str, Any]) -> _Parts:
    name = f.text(fields, "name", max_length=70)
    iban = f.iban(fields)
    payee = f"{name} ({f.masked_iban(iban)})"
    return _Parts(payee, _clean({"name": name, "iban": iban}), f"ajouter le bénéficiaire {payee}")


def _e_signature(fields: Mapping[str, Any]) -> _Parts:
    title = f.text(fields, "title", max_length=120)
    digest = f.sha256_hex(fields, "document_sha256")
    channel = f.choice(fields, "channel", ("distance", "branch"), default="distance")
    extra = _clean({"title": title, "document_sha256": digest, "channel": channel})
    return _Parts(f"Signature : {title}", extra, f"signer « {title} »")


def _card_limit_increase(fields: Mapping[str, Any]) -> _Parts:
    minor, numeric, exponent, shown = _money(fields, "new_limit_minor")
    days = f.integer(fields, "duration_days", low=1, high=90)
    kind = f.choice(fields, "limit", ("payment", "withdrawal"), default="payment")
    card = f.last4(fields)
    word = "paiement" if kind == "payment" else "retrait"
    payee = f"Plafond de {word} carte •••• {card} : {shown} pendant {days} jours"
    action = f"porter le plafond de {word} de la carte •••• {card} à {shown} pendant {days} jours"
    extra = {"limit": kind, "duration_days": str(days)}
    return _Parts(payee, extra, action, (minor, numeric, exponent), card)


def _contact_change(fields: Mapping[str, Any]) -> _Parts:
    kind = f.choice(fields, "kind", ("email", "postal_address"))
    f.only_known(fields, ("kind", "new_email" if kind == "email" else "new_address"))
    if kind == "email":
        new = f.email(fields, "new_email")
        return _Parts(
            f"Nouvelle adresse e-mail : {new}", {"kind": kind, "new_email": new},
            f"changer votre adresse e-mail pour {new}",
        )  # fmt: skip
    address = f.text(fields, "new_address", max_length=250)
    assert address is not None
    return _Parts(
        f"Nouvelle adresse postale : {address}", {"kind": kind, "new_address": address},
        "changer votre adresse postale",
    )  # fmt: skip


def _login(fields: Mapping[str, Any]) -> _Parts:
    channel = f.choice(fields, "channel", tuple(CHANNELS))
    device = f.text(fields, "device", max_length=80)
    device_id = f.text(fields, "device_id", max_length=40, required=False)
    payee = f"Connexion à votre espace Banxo ({CHANNELS[channel]}, {device})"
    action = f"vous connecter à Banxo depuis {device}"
    extra = _clean({"channel": channel, "device": device})
    return _Parts(payee, extra, action, device_id=device_id)


def _view_card_pin(fields: Mapping[str, Any]) -> _Parts:
    card = f.last4(fields)
    return _Parts(f"Affichage du code secret de la carte •••• {card}", {}, "", card_last4=card)


def _wallet_enrolment(fields: Mapping[str, Any]) -> _Parts:
    wallet = f.choice(fields, "wallet", tuple(WALLETS))
    card = f.last4(fields)
    payee = f"Carte •••• {card} dans {WALLETS[wallet]}"
    return _Parts(payee, {"wallet": wallet}, "", card_last4=card)


# (the type's fields, its reader); the reader sees only fields already known to the type.
_KINDS: dict[OperationType, tuple[tuple[str, ...], Callable[[Mapping[str, Any]], _Parts]]] = {
    OperationType.TRANSFER: (
        ("amount_minor", "currency", "payee_name", "payee_iban", "kind", "execution_date", "label"),
        _transfer,
    ),
    OperationType.PIS_PAYMENT: (
        ("amount_minor", "currency", "payee_name", "payee_iban"),
        _pis_payment,
    ),
    OperationType.CARDLESS_WITHDRAWAL: (
        ("amount_minor", "currency", "card_last4"),
        _cardless_withdrawal,
    ),
    OperationType.ADD_BENEFICIARY: (("name", "iban"), _add_beneficiary),
    OperationType.E_SIGNATURE: (("title", "document_sha256", "channel"), _e_signature),
    OperationType.CARD_LIMIT_INCREASE: (
        ("new_limit_minor", "currency", "duration_days", "limit", "card_last4"),
        _card_limit_increase,
    ),
    OperationType.CONTACT_CHANGE: (("kind", "new_email", "new_address"), _contact_change),
    OperationType.LOGIN: (("channel", "device", "device_id"), _login),
    OperationType.VIEW_CARD_PIN: (("card_last4",), _view_card_pin),
    OperationType.WALLET_ENROLMENT: (("wallet", "card_last4"), _wallet_enrolment),
}
BANKING_TYPES = tuple(_KINDS)


def describe(kind: str, fields: Any, *, now: datetime) -> Described:
    """Check ``fields`` for the operation type ``kind`` and build its summary."""
    try:
        known = OperationType(kind)
        names, reader = _KINDS[known]
    except (ValueError, KeyError):
        allowed = ", ".join(BANKING_TYPES)
        raise InvalidRequest(
            "invalid_field", f"type: expected one of: {allowed}", field="type"
        ) from None
    if not isinstance(fields, dict):
        raise InvalidRequest("invalid_field", "fields: expected an object", field="fields")
    f.only_known(fields, names)
    parts = reader(fields)
    minor, numeric, exponent = parts.money
    summary = OperationSummary(
        type=known, amount_minor=minor, currency=numeric, exponent=exponent, payee=parts.payee,
        card_last4=parts.card_last4, created_at=format_time(now),
        extra=tuple(sorted(parts.extra.items())),
    )  # fmt: skip
    return Described(summary, parts.sms_action, parts.device_id)


def _clean(extra: Mapping[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in extra.items() if value is not None}
