"""The browser challenge (§1.5): first CReq, SMS OTP or Sécur'Pass screen, cancel, the end.

Each function runs inside the caller's database transaction and returns a :class:`Screen`: what
to show, plus what to do after the commit (send the SMS, announce the operation, publish hub
keys) and, for a refused CReq, the :class:`~acs.protocol.ProtocolError` to raise once the
U/challengeCancel-10 RReq is committed.

CReq checklist (:func:`check_creq`): known acsTransID on the right channel (305), same
threeDSServerTransID (305), same messageVersion as the AReq (203), then by state: awaiting and
on time → start; awaiting but late → N/14/05 and Erro 402; open and identical (a refresh) → the
same screen again; open and different → U/10 and Erro 305; decided → Erro 315 (2.3.1; 305
before) auto-posted to the notificationURL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from acs.flows.challenge.decoupled import payment_summary
from acs.flows.challenge.otp import OtpCheck, issue_otp
from acs.flows.challenge.otp_attempts import sms_blocked, try_code
from acs.flows.challenge.outcome import ResultKeys, Verdict, conclude
from acs.flows.challenge.view import PaymentView, payment_view
from acs.flows.securpass import operations
from acs.notify.sms import Sms
from acs.protocol import DeviceChannel, ErrorCode, MessageType, ProtocolError
from acs.protocol.methods import ChallengeMethod
from acs.storage import cards, challenges, customers, outbox, transactions
from acs.storage.audit import append_audit
from acs.storage.challenge_models import ChallengeRow, OutboxRow
from acs.storage.engine import Session
from acs.storage.models import Transaction

__all__ = [
    "AfterCommit",
    "Screen",
    "browser_creq",
    "cancel",
    "end_challenge",
    "load",
    "resend_otp",
    "snapshot",
    "start_method",
    "submit_otp",
    "switch_to_sms",
]


@dataclass(frozen=True)
class AfterCommit:
    sms: Sms | None = None
    announce: str | None = None  # a Sécur'Pass operation id
    publish: tuple[str, ...] = ()


@dataclass(frozen=True)
class Screen:
    """``kind``: otp | oob | wait | erro (auto-post an Erro) | refused (raise ``error``)."""

    kind: str
    txn: Transaction
    row: ChallengeRow
    payment: PaymentView
    mobile: str | None = None
    notice: str | None = None  # a TEXTS key
    notice_args: dict[str, Any] = field(default_factory=dict)
    after: AfterCommit = field(default_factory=AfterCommit)
    error: ProtocolError | None = None
    box: OutboxRow | None = None
    can_switch: bool = False  # the Sécur'Pass page may offer the SMS code instead


async def load(session: Session, acs_trans_id: str) -> tuple[ChallengeRow, Transaction] | None:
    row = await challenges.get(session, acs_trans_id)
    txn = await transactions.get(session, acs_trans_id) if row is not None else None
    return None if row is None or txn is None else (row, txn)


async def reload(session: Session, acs_trans_id: str) -> ChallengeRow:
    """The challenge row again, after an update in this transaction (so it exists)."""
    row = await challenges.get(session, acs_trans_id)
    assert row is not None
    return row


def creq_digest(creq: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(creq, sort_keys=True).encode()).hexdigest()


async def browser_creq(
    session: Session,
    creq: dict[str, Any],
    *,
    session_data: str | None,
    language: str,
    ctx: ResultKeys,
    now: datetime,
) -> Screen:
    """Answer a browser CReq (see the module checklist). ``language`` is the page request's
    (Accept-Language); the AReq's, stored on the row when we have it, wins."""
    found = await load(session, str(creq.get("acsTransID")))
    if found is None or found[1].device_channel != DeviceChannel.BROWSER:
        raise ProtocolError.transaction_data("acsTransID", message_type=MessageType.CREQ)
    row, txn = found
    check_creq(creq, txn)
    digest = creq_digest(creq)
    if row.state == challenges.DECIDED:
        return await _screen(session, "erro", row, txn, error=_late_erro(txn))
    if row.state == challenges.AWAITING:
        if row.creq_deadline is not None and now > row.creq_deadline:
            late = ProtocolError.timed_out("acsTransID")
            return await _refuse(
                session, row, txn, Verdict.timed_out(first_creq=True), late, ctx, now
            )
        opened = await challenges.set_fields(
            session, row.acs_trans_id, expect_state=(challenges.AWAITING,),
            state=challenges.OPEN, creq_digest=digest, session_data=session_data,
            window_size=creq.get("challengeWindowSize"), language=row.language or language,
            interaction_counter=0, updated_at=now,
        )  # fmt: skip
        if opened:
            return await start_method(session, row.acs_trans_id, ctx=ctx, now=now)
        row = await reload(session, row.acs_trans_id)  # another CReq won: re-check
    if row.creq_digest != digest:
        error = ProtocolError.transaction_data("CReq", message_type=MessageType.CREQ)
        return await _refuse(session, row, txn, Verdict.error(txn.message_version), error, ctx, now)
    return await current_screen(session, row, txn)


def check_creq(creq: dict[str, Any], txn: Transaction) -> None:
    if creq.get("threeDSServerTransID") != txn.three_ds_server_trans_id:
        raise ProtocolError.transaction_data("threeDSServerTransID", message_type=MessageType.CREQ)
    if creq.get("messageVersion") != txn.message_version:
        raise ProtocolError.invalid(["messageVersion"], message_type=MessageType.CREQ)


def _late_erro(txn: Transaction) -> ProtocolError:
    if txn.message_version == "2.3.1":
        return ProtocolError(
            ErrorCode.CREQ_AFTER_RREQ, "acsTransID", "CReq received after the RReq",
            message_type=MessageType.CREQ,
        )  # fmt: skip
    return ProtocolError.transaction_data("acsTransID", message_type=MessageType.CREQ)


async def _refuse(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    verdict: Verdict,
    error: ProtocolError,
    ctx: ResultKeys,
    now: datetime,
) -> Screen:
    keys = await end_challenge(session, row, verdict, ctx, now)
    screen = await _screen(session, "refused", row, txn, error=error)
    return _with_after(screen, AfterCommit(publish=tuple(keys)))


async def end_challenge(
    session: Session, row: ChallengeRow, verdict: Verdict, ctx: ResultKeys, now: datetime
) -> list[str]:
    """Cancel the phone's operation first (same lock order as the phone), then conclude.

    The returned hub keys include the operation's and its device's when the operation was
    cancelled here, so the phone's screen closes at once.
    """
    keys: list[str] = []
    if row.operation_id:
        status = "expired" if verdict.by == "timeout" else "cancelled"
        if await operations.cancel_operation(session, row.operation_id, now=now, status=status):
            keys += await operations.wake_keys(session, row.operation_id)
    return keys + (await conclude(session, row.acs_trans_id, verdict, ctx=ctx, now=now) or [])


async def start_method(
    session: Session, acs_trans_id: str, *, ctx: ResultKeys, now: datetime
) -> Screen:
    """Create the Sécur'Pass operation (or, without an active device, send the SMS code)."""
    found = await load(session, acs_trans_id)
    assert found is not None
    row, txn = found
    card = await cards.get(session, txn.card_id) if txn.card_id is not None else None
    if row.method == ChallengeMethod.SECURPASS_OOB and card is not None:
        summary = payment_summary(
            amount_minor=txn.amount_minor, currency=txn.currency, exponent=txn.exponent,
            merchant=txn.merchant_name, card_last4=card.last4, now=now,
        )  # fmt: skip
        try:
            operation_id = await operations.create_operation(
                session, customer_id=card.customer_id, summary=summary,
                ttl=row.expires_at - now, now=now, ref_type="3ds", ref_id=acs_trans_id,
                card_id=card.id, limits=operations.OperationLimits.of(ctx.settings),
            )  # fmt: skip
        except operations.TooManyOperations:
            return await _over_limit(session, row, txn, ctx=ctx, now=now)
        except operations.NoActiveDevice:
            await challenges.set_fields(
                session,
                acs_trans_id,
                expect_state=(challenges.OPEN,),
                method=ChallengeMethod.SMS_OTP,
            )
            return await _send_otp(session, acs_trans_id, ctx=ctx, now=now, notice=None)
        await challenges.set_fields(
            session, acs_trans_id, expect_state=(challenges.OPEN,),
            operation_id=operation_id, announced=True, updated_at=now,
        )  # fmt: skip
        screen = await current_screen(session, await reload(session, acs_trans_id), txn)
        return _with_after(screen, AfterCommit(announce=operation_id))
    return await _send_otp(session, acs_trans_id, ctx=ctx, now=now, notice=None)


async def _over_limit(
    session: Session, row: ChallengeRow, txn: Transaction, *, ctx: ResultKeys, now: datetime
) -> Screen:
    """Too many operations for the phone: the SMS code (``push_limit_action = "sms"``, with a
    secure mobile) or N / 19; the phone is not woken either way."""
    customer = await customers.get(session, txn.customer_id) if txn.customer_id else None
    if ctx.settings.push_limit_action == "sms" and customer is not None and customer.secure_mobile:
        await challenges.set_fields(
            session, row.acs_trans_id, expect_state=(challenges.OPEN,),
            method=ChallengeMethod.SMS_OTP,
        )  # fmt: skip
        return await _send_otp(session, row.acs_trans_id, ctx=ctx, now=now, notice=None)
    return await _ending(session, row, txn, Verdict.too_many(), ctx, now)


async def _send_otp(
    session: Session, acs_trans_id: str, *, ctx: ResultKeys, now: datetime, notice: str | None
) -> Screen:
    found = await load(session, acs_trans_id)
    assert found is not None
    row, txn = found
    customer = await customers.get(session, txn.customer_id) if txn.customer_id else None
    mobile = customer.secure_mobile if customer is not None else None
    if not mobile:  # the risk engine only picks SMS OTP with a secure mobile on file
        return await _refuse(session, row, txn, Verdict.refused("otp"),
                             ProtocolError.system_failure(), ctx, now)  # fmt: skip
    if await sms_blocked(session, txn):  # blocked since the AReq (RTS Art. 4(3)(b)): no code
        return await _ending(session, row, txn, Verdict.refused("otp"), ctx, now)
    view = payment_view(txn, None)  # the SMS is in French: its amount too
    issued = issue_otp(
        row, to=mobile, amount=view.amount, merchant=view.merchant,
        otp_key=ctx.keys.otp_key, settings=ctx.settings, now=now,
    )  # fmt: skip
    await challenges.set_fields(
        session, acs_trans_id, expect_state=(challenges.OPEN,),
        otp_hmac=issued.otp_hmac, otp_expires_at=issued.expires_at,
        otp_sends=row.otp_sends + 1, updated_at=now,
    )  # fmt: skip
    row = await reload(session, acs_trans_id)
    screen = await current_screen(session, row, txn, notice=notice)
    return _with_after(screen, AfterCommit(sms=issued.sms))


async def submit_otp(
    session: Session, acs_trans_id: str, code: str, *, ctx: ResultKeys, now: datetime
) -> Screen:
    """Count the attempt, compare the code; the third wrong code of the challenge, or the
    cardholder's fifth in a row (RTS Art. 4(3)(b)), fails the challenge (N/01)."""
    row, txn = await _open_or_current(session, acs_trans_id)
    if row.state != challenges.OPEN or row.method != ChallengeMethod.SMS_OTP:
        return await current_screen(session, row, txn)
    if now >= row.expires_at:
        return await _ending(session, row, txn, Verdict.timed_out(), ctx, now)
    result, row = await try_code(
        session, row, txn, code, ctx=ctx, now=now,
        interaction_counter=row.interaction_counter + 1, updated_at=now,
    )  # fmt: skip
    if result is OtpCheck.OK:
        return await _ending(session, row, txn, Verdict.approved("otp"), ctx, now)
    if result is OtpCheck.EXHAUSTED:
        return await _ending(session, row, txn, Verdict.refused("otp"), ctx, now)
    if result is OtpCheck.EXPIRED:
        return await current_screen(session, row, txn, notice="otp_expired")
    left = ctx.settings.otp_max_attempts - row.otp_attempts
    return await current_screen(session, row, txn, notice="otp_wrong", left=left)


async def resend_otp(
    session: Session, acs_trans_id: str, *, ctx: ResultKeys, now: datetime
) -> Screen:
    """A new code (the old one dies), at most ``otp_max_resends`` times; the attempts already
    made still count (a resend gives no fresh tries)."""
    row, txn = await _open_or_current(session, acs_trans_id)
    if row.state != challenges.OPEN or row.method != ChallengeMethod.SMS_OTP:
        return await current_screen(session, row, txn)
    if row.otp_sends > ctx.settings.otp_max_resends:
        return await current_screen(session, row, txn)
    return await _send_otp(session, acs_trans_id, ctx=ctx, now=now, notice="otp_resent")


def can_switch_to_sms(row: ChallengeRow, mobile: str | None) -> bool:
    """The Sécur'Pass page offers "Vous n'avez pas votre téléphone ?" with a secure mobile."""
    oob = row.method == ChallengeMethod.SECURPASS_OOB
    return row.state == challenges.OPEN and oob and bool(mobile)


async def switch_to_sms(
    session: Session, acs_trans_id: str, *, ctx: ResultKeys, now: datetime
) -> Screen:
    """The cardholder has no phone at hand: the Sécur'Pass operation is cancelled (its screen
    closes) and an SMS code goes to the secure mobile, within the usual OTP limits (not offered,
    and refused here, while the cardholder's SMS OTP is blocked: the page stays). Audited
    (``challenge.switched_to_sms``) and the RReq then names the SMS OTP as what authenticated
    (authenticationType 02, authenticationMethod 02)."""
    row, txn = await _open_or_current(session, acs_trans_id)
    customer = await customers.get(session, txn.customer_id) if txn.customer_id else None
    mobile = customer.secure_mobile if customer is not None else None
    if not can_switch_to_sms(row, mobile) or now >= row.expires_at:
        return await current_screen(session, row, txn)
    if await sms_blocked(session, txn):  # the per-cardholder SMS block: the app only
        return await current_screen(session, row, txn)
    keys: list[str] = []
    if row.operation_id:  # the phone's operation first (the phone's lock order)
        if not await operations.cancel_operation(
            session, row.operation_id, now=now, status="cancelled"
        ):  # the phone decided (or it expired) meanwhile: that stands
            return await current_screen(session, await reload(session, acs_trans_id), txn)
        keys += await operations.wake_keys(session, row.operation_id)
    switched = await challenges.set_fields(
        session, acs_trans_id, expect_state=(challenges.OPEN,),
        method=ChallengeMethod.SMS_OTP, operation_id=None, updated_at=now,
    )  # fmt: skip
    if not switched:
        return await current_screen(session, await reload(session, acs_trans_id), txn)
    screen = await _send_otp(session, acs_trans_id, ctx=ctx, now=now, notice="otp_switched")
    if customer is not None:  # last: a pending audit event holds the chain's tip
        await append_audit(
            session, at=now, actor="cardholder", action="challenge.switched_to_sms",
            subject=f"customer:{customer.id}",
            detail={"acs_trans_id": acs_trans_id, "from": ChallengeMethod.SECURPASS_OOB.value,
                    "to": ChallengeMethod.SMS_OTP.value},
        )  # fmt: skip
    return _with_after(screen, replace(screen.after, publish=(*screen.after.publish, *keys)))


async def cancel(session: Session, acs_trans_id: str, *, ctx: ResultKeys, now: datetime) -> Screen:
    """The cardholder pressed Cancel: N, challengeCancel 01 (unless already decided)."""
    row, txn = await _open_or_current(session, acs_trans_id)
    return await _ending(session, row, txn, Verdict.cancelled(txn.message_version), ctx, now)


async def _open_or_current(session: Session, acs_trans_id: str) -> tuple[ChallengeRow, Transaction]:
    found = await load(session, acs_trans_id)
    if found is None:
        raise ProtocolError.transaction_data("acsTransID", message_type=MessageType.CREQ)
    return found


async def _ending(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    verdict: Verdict,
    ctx: ResultKeys,
    now: datetime,
) -> Screen:
    keys = await end_challenge(session, row, verdict, ctx, now)
    screen = await current_screen(session, await reload(session, row.acs_trans_id), txn)
    return _with_after(screen, AfterCommit(publish=tuple(keys)))


async def current_screen(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    *,
    notice: str | None = None,
    **notice_args: Any,
) -> Screen:
    if row.state == challenges.DECIDED:
        return await _screen(session, "wait", row, txn)
    kind = "oob" if row.method == ChallengeMethod.SECURPASS_OOB else "otp"
    return await _screen(session, kind, row, txn, notice=notice, notice_args=notice_args)


async def _screen(
    session: Session, kind: str, row: ChallengeRow, txn: Transaction, **kw: Any
) -> Screen:
    card = await cards.get(session, txn.card_id) if txn.card_id is not None else None
    customer = await customers.get(session, txn.customer_id) if txn.customer_id else None
    box = await outbox.get_for(session, row.acs_trans_id)
    mobile = customer.secure_mobile if customer is not None else None
    view = payment_view(txn, card, row.language or "fr")
    switch = kind == "oob" and can_switch_to_sms(row, mobile)
    switch = switch and not await sms_blocked(session, txn)
    return Screen(kind, txn, row, view, mobile=mobile, box=box, can_switch=switch, **kw)


def _with_after(screen: Screen, after: AfterCommit) -> Screen:
    return replace(screen, after=after)


async def snapshot(session: Session, acs_trans_id: str) -> Screen | None:
    """The current screen of a challenge (for the status long-poll and the no-JS button)."""
    found = await load(session, acs_trans_id)
    if found is None:
        return None
    return await current_screen(session, *found)
