"""What a challenge shows: texts (French, English fallback), the page token, the final CRes.

The browser pages keep no state in cookies: every follow-up form and the status URL carry a
token = HMAC-SHA-256 over the acsTransID under a key derived from ``keyring.session_wrap``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from acs.flows import display
from acs.protocol import DeviceChannel, TransStatus, b64url_encode, format_amount
from acs.protocol.messages import CRes
from acs.storage.challenge_models import ChallengeRow
from acs.storage.models import Card, Transaction
from acs.text import neutralise

__all__ = [
    "TEXTS",
    "PaymentView",
    "final_cres",
    "language_of",
    "page_token",
    "payment_view",
    "token_ok",
]


def _token_key(wrap_key: bytes) -> bytes:
    return hmac.new(wrap_key, b"acs challenge page token v1", hashlib.sha256).digest()


def page_token(wrap_key: bytes, acs_trans_id: str) -> str:
    mac = hmac.new(_token_key(wrap_key), acs_trans_id.encode(), hashlib.sha256).digest()
    return b64url_encode(mac[:18])


def token_ok(wrap_key: bytes, acs_trans_id: str, token: str) -> bool:
    """The page's token, compared in constant time; a non-ASCII one is simply wrong
    (``compare_digest`` raises TypeError on non-ASCII text)."""
    return token.isascii() and hmac.compare_digest(page_token(wrap_key, acs_trans_id), token)


def language_of(accept_language: str | None) -> str:
    """ "fr" unless the browser prefers English over French."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("fr"):
            return "fr"
        if tag.startswith("en"):
            return "en"
    return "fr"


@dataclass(frozen=True)
class PaymentView:
    merchant: str
    amount: str
    card_mask: str


def payment_view(txn: Transaction, card: Card | None) -> PaymentView:
    amount = "—"
    if txn.amount_minor is not None and txn.currency:
        exponent = txn.exponent if txn.exponent is not None else 2
        amount = format_amount(txn.amount_minor, exponent, txn.currency)
    mask = f"•••• {card.last4}" if card is not None else "••••"
    # Neutralised: the page, the app's CRes texts and the SMS show what the phone signs.
    merchant = neutralise(txn.merchant_name or "—")
    return PaymentView(merchant=merchant, amount=amount, card_mask=mask)


def final_cres(
    txn: Transaction, row: ChallengeRow, *, acs_counter: int | None = None
) -> dict[str, Any]:
    """The final CRes (challengeCompletionInd Y): transStatus Y or N only (U → N)."""
    approved = row.result_status == TransStatus.AUTHENTICATED
    app = txn.device_channel == DeviceChannel.APP
    return CRes(
        three_ds_server_trans_id=txn.three_ds_server_trans_id,
        acs_trans_id=txn.acs_trans_id,
        sdk_trans_id=txn.sdk_trans_id if app else None,
        message_version=txn.message_version,
        acs_counter_ato_s=f"{acs_counter or 0:03d}" if app else None,
        challenge_completion_ind="Y",
        trans_status=TransStatus.AUTHENTICATED if approved else TransStatus.NOT_AUTHENTICATED,
    ).to_wire()


TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Vérification de votre paiement",
        "merchant": "Marchand",
        "amount": "Montant",
        "card": "Carte",
        "oob_header": "Validez dans l'appli Banxo",
        "oob_text": "Validez le paiement de {amount} chez {merchant} dans votre appli Banxo.",
        "oob_wait": "En attente de votre validation…",
        "oob_continue": "J'ai validé dans l'appli",
        "otp_header": "Code reçu par SMS",
        "otp_text": "Saisissez le code envoyé au {mobile} pour payer {amount} chez {merchant}.",
        "otp_label": "Code à 6 chiffres",
        "otp_submit": "Valider",
        "otp_resend": "Recevoir un nouveau code",
        "otp_wrong": "Code incorrect. Il vous reste {left} essai(s).",
        "otp_expired": "Ce code a expiré : demandez un nouveau code.",
        "otp_resent": "Un nouveau code vous a été envoyé.",
        "cancel": "Annuler le paiement",
        "done_ok": "Paiement validé. Retour chez le marchand…",
        "done_ko": "Paiement non validé. Retour chez le marchand…",
        "finishing": "Finalisation en cours…",
        "continue": "Continuer",
        "why": "Votre banque vérifie que c'est bien vous qui payez.",
    },
    "en": {
        "title": "Verifying your payment",
        "merchant": "Merchant",
        "amount": "Amount",
        "card": "Card",
        "oob_header": "Approve in the Banxo app",
        "oob_text": "Approve the payment of {amount} at {merchant} in your Banxo app.",
        "oob_wait": "Waiting for your approval…",
        "oob_continue": "I approved in the app",
        "otp_header": "Code received by text",
        "otp_text": "Enter the code sent to {mobile} to pay {amount} at {merchant}.",
        "otp_label": "6-digit code",
        "otp_submit": "Confirm",
        "otp_resend": "Send a new code",
        "otp_wrong": "Wrong code. {left} attempt(s) left.",
        "otp_expired": "This code has expired: ask for a new one.",
        "otp_resent": "A new code has been sent.",
        "cancel": "Cancel the payment",
        "done_ok": "Payment approved. Back to the merchant…",
        "done_ko": "Payment not approved. Back to the merchant…",
        "finishing": "Finishing…",
        "continue": "Continue",
        "why": "Your bank checks that you are the one paying.",
    },
}


def masked_mobile(number: str | None) -> str:
    return display.masked_mobile(number, hidden_pairs=3, missing="••")
