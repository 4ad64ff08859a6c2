"""What a challenge shows: the payment (Babel-formatted), the page token, the final CRes.

The texts are in the message catalogue (:mod:`acs.flows.challenge.catalogue`).

The browser pages keep no state in cookies: every follow-up form and the status URL carry a
token = HMAC-SHA-256 over the acsTransID under a key derived from ``keyring.session_wrap``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from acs.flows import display
from acs.flows.challenge.catalogue import TEXTS, format_when, negotiate
from acs.protocol import DeviceChannel, TransStatus, b64url_encode, format_amount
from acs.protocol.messages import CRes
from acs.storage.challenge_models import ChallengeRow
from acs.storage.models import Card, Transaction
from acs.text import neutralise

__all__ = [
    "TEXTS",
    "PaymentView",
    "final_cres",
    "final_text_key",
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
    """The language a page request's ``Accept-Language`` names among ours, else French (the
    AReq's language, stored on the challenge row, comes first: :func:`catalogue.negotiate`)."""
    return negotiate(None, accept_language)


@dataclass(frozen=True)
class PaymentView:
    merchant: str
    amount: str
    card_mask: str
    when: str = ""  # date and time of the purchase, Europe/Paris
    bin6: str = ""


def payment_view(txn: Transaction, card: Card | None, language: str = "fr") -> PaymentView:
    amount = "—"
    if txn.amount_minor is not None and txn.currency:
        exponent = txn.exponent if txn.exponent is not None else 2
        amount = format_amount(txn.amount_minor, exponent, txn.currency, locale=language)
    mask = f"•••• {card.last4}" if card is not None else "••••"
    # Neutralised: the page, the app's CRes texts and the SMS show what the phone signs.
    merchant = neutralise(txn.merchant_name or "—")
    return PaymentView(
        merchant=merchant, amount=amount, card_mask=mask,
        when=format_when(txn.created_at, language) if txn.created_at else "",
        bin6=card.bin6 if card is not None else "",
    )  # fmt: skip


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


def final_text_key(row: ChallengeRow) -> str:
    """The closing message, one per outcome: approved, refused in the app, too many wrong codes,
    cancelled, time up, or not approved (anything else)."""
    if row.result_status == TransStatus.AUTHENTICATED:
        return "done_ok"
    return {
        "phone": "done_refused",
        "otp": "done_wrong_codes",
        "cancel": "done_cancelled",
        "timeout": "done_timeout",
    }.get(row.decided_by or "", "done_ko")


def masked_mobile(number: str | None) -> str:
    return display.masked_mobile(number, hidden_pairs=3, missing="••")
