"""The end of a challenge: one verdict wins, its RReq enters the outbox in the same transaction.

Every way a challenge ends (phone decision, OTP, cancel, timeout, error) goes through
:func:`conclude`. The conditional UPDATE in :func:`acs.storage.challenges.decide` elects one
winner; the losers get ``None`` and answer with the state already recorded.

Verdicts (transStatus / transStatusReason / challengeCancel)::

    approved (phone, OTP)        Y  -   -      authenticationValue + ECI, low-value counters reset
    refused in the app           N  01  -      the Sécur'Pass side records the fraud declaration
    OTP attempts exhausted       N  01  -
    cancelled by the cardholder  N  26  01     (2.1.0: reason 01)
    no first CReq in 30 s        N  14  05
    no decision in time          N  14  04
    decoupled time exceeded      N  24  03
    CReq error (app)             U  09  10     (2.1.0/2.2.0: challengeCancel 06)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from acs.config import Settings
from acs.crypto import authvalue
from acs.crypto.eci import eci as eci_for
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.flows.results import build_rreq
from acs.notify import topics
from acs.storage import cards, challenges, method_data, outbox, transactions
from acs.storage.challenge_models import ChallengeRow
from acs.storage.models import Card, Transaction

__all__ = ["ResultKeys", "Verdict", "conclude", "hub_keys"]

# Visa "second factor" code in the CAVV per method (as in authenticate.py).
_SECOND_FACTOR = {"securpass_oob": "09", "sms_otp": "02", "decoupled": "09"}


@dataclass(frozen=True)
class Verdict:
    status: str  # Y | N | U
    reason: str | None = None
    cancel: str | None = None
    by: str = ""  # phone | otp | cancel | timeout | error

    @classmethod
    def approved(cls, by: str) -> Verdict:
        return cls("Y", by=by)

    @classmethod
    def refused(cls, by: str) -> Verdict:
        return cls("N", "01", by=by)

    @classmethod
    def cancelled(cls, version: str) -> Verdict:
        return cls("N", "01" if version == "2.1.0" else "26", "01", by="cancel")

    @classmethod
    def timed_out(cls, *, first_creq: bool = False, decoupled: bool = False) -> Verdict:
        if decoupled:
            return cls("N", "24", "03", by="timeout")
        return cls("N", "14", "05" if first_creq else "04", by="timeout")

    @classmethod
    def error(cls, version: str) -> Verdict:
        return cls("U", "09", "10" if version == "2.3.1" else "06", by="error")


@dataclass(frozen=True)
class ResultKeys:
    """What a decision needs besides the database: the settings, keys and PAN vault."""

    settings: Settings
    keys: KeyRing
    vault: PanVault


def hub_keys(acs_trans_id: str, *, send_now: bool = False) -> list[str]:
    """What to publish after the deciding commit: the page/SDK waiter, and the sender —
    with ``send_now``, this process's sender at once for this RReq (``rreq:<id>``)."""
    keys = [topics.challenge(acs_trans_id), topics.OUTBOX]
    return [*keys, topics.rreq(acs_trans_id)] if send_now else keys


async def conclude(
    session: AsyncSession, acs_trans_id: str, verdict: Verdict, *, ctx: ResultKeys, now: datetime
) -> list[str] | None:
    """Record ``verdict`` and enqueue its RReq; ``None`` when the challenge was already decided."""
    won = await challenges.decide(
        session, acs_trans_id, status=verdict.status, reason=verdict.reason,
        cancel=verdict.cancel, by=verdict.by, now=now,
    )  # fmt: skip
    if not won:
        return None
    row = await challenges.get(session, acs_trans_id)
    txn = await transactions.get(session, acs_trans_id)
    assert row is not None and txn is not None  # the challenge row references the transaction
    card = await session.get(Card, txn.card_id) if txn.card_id is not None else None
    proof = _proof(txn, row, card, ctx) if verdict.status == "Y" else None
    rreq = build_rreq(
        txn, row, status=verdict.status, reason=verdict.reason, cancel=verdict.cancel, proof=proof
    )
    await outbox.enqueue(
        session, acs_trans_id=acs_trans_id, ds_url=txn.ds_url or "", rreq=rreq, now=now
    )
    _update_transaction(txn, verdict, proof, now)
    if verdict.status == "Y" and card is not None:
        cards.reset_low_value(card, now)
        if row.browser_fingerprint and txn.customer_id:
            await method_data.remember_browser(
                session, txn.customer_id, row.browser_fingerprint, now=now
            )
    # A person's decision (phone, code, cancel) is sent at once: their page holds the final CRes
    # until the RRes. Timeouts come in batches and wait for the worker.
    return hub_keys(acs_trans_id, send_now=verdict.by != "timeout")


def _update_transaction(
    txn: Transaction, verdict: Verdict, proof: tuple[str, str | None] | None, now: datetime
) -> None:
    txn.trans_status = verdict.status
    txn.trans_status_reason = verdict.reason
    if proof is not None:
        txn.authentication_value, txn.eci = proof
    txn.updated_at = now


def _proof(
    txn: Transaction, row: ChallengeRow, card: Card | None, ctx: ResultKeys
) -> tuple[str, str | None] | None:
    """authenticationValue and ECI for a challenge that succeeded (method 09 or 02)."""
    if card is None:
        return None
    pan = ctx.vault.open(card.pan_kid, card.pan_ciphertext)
    card_range = ctx.settings.range_for(pan)
    if card_range is None:
        return None
    eci = eci_for(
        card_range.scheme, "Y", message_category=txn.message_category,
        three_ri=txn.device_channel == "03",
    )  # fmt: skip
    inp = authvalue.AuthInput(
        pan=pan,
        trans_status="Y",
        method=_SECOND_FACTOR[row.method],
        amount_minor=txn.amount_minor,
        currency=txn.currency,
        merchant_name=txn.merchant_name,
        acs_trans_id=txn.acs_trans_id,
    )
    rk = ctx.keys.for_range(card_range)
    keys = authvalue.SchemeKeys(rk.cvk_a, rk.cvk_b, rk.aav_key, rk.key_indicator)
    value = authvalue.generate(card_range.scheme, keys, inp, atn=secrets.randbelow(10**16))
    return value, eci
