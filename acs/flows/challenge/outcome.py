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

from dataclasses import dataclass
from datetime import datetime

from acs import metrics
from acs.config import CardRange, Settings
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.crypto.proof import Proof, ProofInput, proof
from acs.logs import bind_more
from acs.notify import topics
from acs.protocol import ChallengeCancel, DeviceChannel, TransStatus, TransStatusReason
from acs.protocol.methods import ChallengeMethod
from acs.protocol.rreq import ChallengeFacts, build_rreq
from acs.storage import cards, challenges, method_data, outbox, transactions
from acs.storage.challenge_models import ChallengeRow
from acs.storage.engine import Session
from acs.storage.models import Transaction

__all__ = ["ResultKeys", "Verdict", "conclude", "hub_keys"]

_S, _R, _C = TransStatus, TransStatusReason, ChallengeCancel


@dataclass(frozen=True)
class Verdict:
    status: TransStatus  # Y | N | U
    reason: TransStatusReason | None = None
    cancel: ChallengeCancel | None = None
    by: str = ""  # phone | otp | cancel | timeout | error | limit

    @classmethod
    def approved(cls, by: str) -> Verdict:
        return cls(TransStatus.AUTHENTICATED, by=by)

    @classmethod
    def refused(cls, by: str) -> Verdict:
        return cls(_S.NOT_AUTHENTICATED, _R.CARD_AUTHENTICATION_FAILED, by=by)

    @classmethod
    def too_many(cls) -> Verdict:
        """The phone already has enough operations (push bombing): N, reason 19."""
        return cls(_S.NOT_AUTHENTICATED, _R.EXCEEDS_MAX_CHALLENGES, by="limit")

    @classmethod
    def cancelled(cls, version: str, cancel: ChallengeCancel = _C.CARDHOLDER_CANCELLED) -> Verdict:
        """Cancelled (challengeCancel ``cancel``): reason 26, attempted (01 in 2.1.0)."""
        return cls(_S.NOT_AUTHENTICATED, _cancel_reason(version), cancel, by="cancel")

    @classmethod
    def timed_out(cls, *, first_creq: bool = False, decoupled: bool = False) -> Verdict:
        if decoupled:
            return cls(_S.NOT_AUTHENTICATED, _R.DECOUPLED_MAX_EXPIRY_EXCEEDED,
                       _C.ABANDONED_OR_DECOUPLED_TIMEOUT, by="timeout")  # fmt: skip
        cancel = _C.FIRST_CREQ_NOT_RECEIVED if first_creq else _C.TIMED_OUT_AT_ACS
        return cls(_S.NOT_AUTHENTICATED, _R.TIMED_OUT_AT_ACS, cancel, by="timeout")

    @classmethod
    def error(cls, version: str) -> Verdict:
        cancel = _C.ERRO_AFTER_CREQ if version == "2.3.1" else _C.TRANSACTION_ERROR
        return cls(_S.NOT_PERFORMED, _R.SECURITY_FAILURE, cancel, by="error")


def _cancel_reason(version: str) -> TransStatusReason:
    if version == "2.1.0":  # no reason 26 before 2.2.0
        return _R.CARD_AUTHENTICATION_FAILED
    return _R.ATTEMPTED_NOT_PERFORMED


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
    session: Session, acs_trans_id: str, verdict: Verdict, *, ctx: ResultKeys, now: datetime
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
    bind_more(
        threeDSServerTransID=txn.three_ds_server_trans_id, dsTransID=txn.ds_trans_id,
        acsTransID=acs_trans_id,
    )  # fmt: skip
    metrics.DECISIONS.labels(verdict.status, verdict.by or "other").inc()
    card = await cards.get(session, txn.card_id) if txn.card_id is not None else None
    pan = ctx.vault.open(card.pan_kid, card.pan_ciphertext) if card is not None else None
    card_range = ctx.settings.range_for(pan) if pan is not None else None
    approved = verdict.status == TransStatus.AUTHENTICATED
    found = _proof(txn, row, pan, card_range, ctx) if approved else None
    rreq = build_rreq(
        _challenge_facts(txn, row), status=verdict.status, reason=verdict.reason,
        cancel=verdict.cancel,
        authentication_value=found.authentication_value if found else None,
        eci=found.eci if found else None,
    )  # fmt: skip
    await outbox.enqueue(
        session, acs_trans_id=acs_trans_id, ds_url=txn.ds_url or "", rreq=rreq.to_wire(), now=now,
        scheme=card_range.scheme if card_range is not None else None,
    )  # fmt: skip
    _update_transaction(txn, verdict, found, now)
    if approved and card is not None:
        cards.reset_low_value(card, now)
        if row.browser_fingerprint and txn.customer_id:
            await method_data.remember_browser(
                session, txn.customer_id, row.browser_fingerprint, now=now
            )
    # A person's decision (phone, code, cancel) is sent at once: their page holds the final CRes
    # until the RRes. Timeouts come in batches and wait for the worker.
    return hub_keys(acs_trans_id, send_now=verdict.by != "timeout")


def _challenge_facts(txn: Transaction, row: ChallengeRow) -> ChallengeFacts:
    return ChallengeFacts(
        version=txn.message_version,
        three_ds_server_trans_id=txn.three_ds_server_trans_id,
        ds_trans_id=txn.ds_trans_id or "",  # the AReq schema requires it: never empty
        acs_trans_id=txn.acs_trans_id,
        sdk_trans_id=txn.sdk_trans_id,
        message_category=txn.message_category,
        device_channel=txn.device_channel,
        method=ChallengeMethod(row.method),
        interaction_counter=row.interaction_counter,
    )


def _update_transaction(
    txn: Transaction, verdict: Verdict, found: Proof | None, now: datetime
) -> None:
    txn.trans_status = verdict.status
    txn.trans_status_reason = verdict.reason
    if found is not None:
        txn.authentication_value, txn.eci = found.authentication_value, found.eci
    txn.updated_at = now


def _proof(
    txn: Transaction, row: ChallengeRow, pan: str | None, card_range: CardRange | None,
    ctx: ResultKeys,
) -> Proof | None:  # fmt: skip
    """authenticationValue and ECI for a challenge that succeeded (method 09 or 02)."""
    if pan is None or card_range is None:
        return None
    inp = ProofInput(
        trans_status=TransStatus.AUTHENTICATED,
        method=ChallengeMethod(row.method),
        pan=pan,
        amount_minor=txn.amount_minor,
        currency=txn.currency,
        merchant_name=txn.merchant_name,
        acs_trans_id=txn.acs_trans_id,
        message_category=txn.message_category,
        three_ri=txn.device_channel == DeviceChannel.THREE_RI,
    )
    return proof(card_range, ctx.keys, inp)
