"""The app challenge (§1.6): JWE CReqs from the 3DS SDK, JWE CRes back.

A round is two database transactions around an optional wait:

1. :func:`receive` — find the session by ``kid`` (= acsTransID), open the sealed CEK, decrypt,
   validate, check ids, version and ``sdkCounterStoA``, advance the counter, act (start the
   method, OTP, resend, cancel). Any failure on a known transaction ends it with U /
   challengeCancel 10 (06 before 2.3.1) and gives the Erro to raise once that is committed.
2. the caller waits (Hub) for the phone after ``oobContinue``, or for the RRes after a decision.
3. :func:`answer` — the CRes for the state now (OOB screen 04, text screen 01, or the final CRes),
   encrypted with the same ``enc`` under ``acsCounterAtoS``, which then advances.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from acs.crypto.jose import DecryptionFailed, decrypt_creq, encrypt_cres, open_cek, peek_header
from acs.flows.challenge import browser
from acs.flows.challenge.browser import AfterCommit, end_challenge
from acs.flows.challenge.otp import OtpCheck
from acs.flows.challenge.otp_attempts import try_code
from acs.flows.challenge.outcome import ResultKeys, Verdict
from acs.flows.challenge.view import TEXTS, final_cres, masked_mobile, payment_view
from acs.protocol import (
    ChallengeCancel,
    DeviceChannel,
    ErrorCode,
    MessageType,
    ProtocolError,
    validate_incoming,
)
from acs.protocol.messages import CRes
from acs.protocol.methods import UI_TYPE, ChallengeMethod
from acs.protocol.parsing import is_trans_id
from acs.storage import challenges, customers
from acs.storage.challenge_models import ChallengeRow
from acs.storage.engine import Session
from acs.storage.models import Transaction

__all__ = ["AppStep", "answer", "receive"]


@dataclass(frozen=True)
class AppStep:
    acs_trans_id: str | None
    enc: str | None = None
    message: dict[str, Any] = field(default_factory=dict)
    after: AfterCommit = field(default_factory=AfterCommit)
    error: ProtocolError | None = None
    wait_for_phone: bool = False
    notice: str | None = None


def _decryption_error(detail: str = "JWE") -> ProtocolError:
    return ProtocolError(ErrorCode.DECRYPTION_FAILURE, detail, "Data decryption failure",
                         message_type=MessageType.CREQ)  # fmt: skip


async def receive(session: Session, token: str, *, ctx: ResultKeys, now: datetime) -> AppStep:
    """Decrypt and check one CReq, then act on it (see the module docstring)."""
    try:
        kid = peek_header(token).get("kid")
    except DecryptionFailed:
        raise ProtocolError.invalid_message("not a JWE", message_type=MessageType.CREQ) from None
    if not is_trans_id(kid):  # nor a key to look up: NUL or a surrogate would break the query
        raise _decryption_error("kid")
    found = await browser.load(session, kid)
    if found is None or found[1].device_channel != DeviceChannel.APP or found[0].cek_sealed is None:
        raise _decryption_error("kid")
    row, txn = found
    step = AppStep(acs_trans_id=kid)
    try:
        cek = open_cek(ctx.keys.session_wrap, row.cek_sealed, kid)  # type: ignore[arg-type]
        received = decrypt_creq(token, cek, expected_kid=kid, counter=row.sdk_counter)
        step = AppStep(acs_trans_id=kid, enc=received.enc, message=received.message)
        validate_incoming(received.message, expected=MessageType.CREQ)
        _check(received.message, txn, row)
    except (DecryptionFailed, ProtocolError) as exc:
        error = exc if isinstance(exc, ProtocolError) else _decryption_error()
        return await _fail(session, row, txn, step, error, ctx, now)
    advanced = await challenges.set_fields(
        session, kid, expect_state=(row.state,), expect_sdk_counter=row.sdk_counter,
        sdk_counter=row.sdk_counter + 1,
        enc=received.enc, updated_at=now,
    )  # fmt: skip
    if not advanced:  # a concurrent CReq with the same counter: only one may pass
        return await _fail(session, row, txn, step, _decryption_error("sdkCounterStoA"), ctx, now)
    return await _act(session, row, txn, step, ctx=ctx, now=now)


def _check(message: dict[str, Any], txn: Transaction, row: ChallengeRow) -> None:
    for name, expected in (
        ("acsTransID", txn.acs_trans_id),
        ("threeDSServerTransID", txn.three_ds_server_trans_id),
        ("sdkTransID", txn.sdk_trans_id),
    ):
        if message.get(name) != expected:
            raise ProtocolError.transaction_data(name, message_type=MessageType.CREQ)
    if message.get("messageVersion") != txn.message_version:
        raise ProtocolError.invalid(["messageVersion"], message_type=MessageType.CREQ)
    if message.get("sdkCounterStoA") != f"{row.sdk_counter:03d}" or row.sdk_counter > 255:
        raise _decryption_error("sdkCounterStoA")


async def _fail(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    step: AppStep,
    error: ProtocolError,
    ctx: ResultKeys,
    now: datetime,
) -> AppStep:
    keys: list[str] = []
    if row.state != challenges.DECIDED:
        keys = await end_challenge(session, row, Verdict.error(txn.message_version), ctx, now)
    return AppStep(step.acs_trans_id, step.enc, step.message, AfterCommit(publish=tuple(keys)),
                   error=error)  # fmt: skip


async def _act(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    step: AppStep,
    *,
    ctx: ResultKeys,
    now: datetime,
) -> AppStep:
    message, kid = step.message, row.acs_trans_id
    if row.state == challenges.DECIDED:
        return step
    if row.state == challenges.AWAITING:
        if row.creq_deadline is not None and now > row.creq_deadline:
            late = ProtocolError.timed_out("acsTransID", message_type=MessageType.CREQ)
            keys = await end_challenge(session, row, Verdict.timed_out(first_creq=True), ctx, now)
            return replace(step, after=AfterCommit(publish=tuple(keys)), error=late)
        await challenges.set_fields(
            session, kid, expect_state=(challenges.AWAITING,), state=challenges.OPEN,
            interaction_counter=0, updated_at=now,
        )  # fmt: skip
        screen = await browser.start_method(session, kid, ctx=ctx, now=now)
        return replace(step, after=screen.after)
    if now >= row.expires_at:
        keys = await end_challenge(session, row, Verdict.timed_out(), ctx, now)
        return replace(step, after=AfterCommit(publish=tuple(keys)))
    if message.get("challengeCancel"):
        verdict = _cancel_verdict(message["challengeCancel"], txn.message_version)
        keys = await end_challenge(session, row, verdict, ctx, now)
        return replace(step, after=AfterCommit(publish=tuple(keys)))
    if row.method == ChallengeMethod.SECURPASS_OOB:
        return replace(step, wait_for_phone=_continued(message))
    return await _otp_step(session, row, step, ctx=ctx, now=now)


def _continued(message: dict[str, Any]) -> bool:
    value = message.get("oobContinue")
    return value is True or value in ("01", "02")


def _cancel_verdict(code: str, version: str) -> Verdict:
    return Verdict.cancelled(version, ChallengeCancel(code))


async def _otp_step(
    session: Session, row: ChallengeRow, step: AppStep, *, ctx: ResultKeys, now: datetime
) -> AppStep:
    message, kid = step.message, row.acs_trans_id
    if message.get("resendChallenge") == "Y":
        screen = await browser.resend_otp(session, kid, ctx=ctx, now=now)
        return replace(step, after=screen.after, notice=screen.notice)
    code = message.get("challengeDataEntry")
    if not isinstance(code, str):
        return step
    found = await browser.load(session, kid)
    assert found is not None
    result, fresh = await try_code(
        session, row, found[1], code, ctx=ctx, now=now,
        interaction_counter=row.interaction_counter + 1,  # one more attempt by the cardholder
    )  # fmt: skip
    if result in (OtpCheck.OK, OtpCheck.EXHAUSTED):
        verdict = Verdict.approved("otp") if result is OtpCheck.OK else Verdict.refused("otp")
        keys = await end_challenge(session, fresh, verdict, ctx, now)
        return replace(step, after=AfterCommit(publish=tuple(keys)))
    return replace(step, notice="otp_expired" if result is OtpCheck.EXPIRED else "otp_wrong")


async def answer(session: Session, step: AppStep, *, ctx: ResultKeys, language: str) -> str:
    """The JWE CRes for the challenge as it stands now; advances acsCounterAtoS."""
    found = await browser.load(session, str(step.acs_trans_id))
    assert found is not None and step.enc is not None
    row, txn = found
    await challenges.set_fields(
        session, row.acs_trans_id, expect_state=(row.state,), acs_counter=row.acs_counter + 1
    )
    if row.state == challenges.DECIDED:
        cres = final_cres(txn, row, acs_counter=row.acs_counter)
    else:
        cres = await _screen_cres(session, row, txn, step, ctx=ctx, language=language)
    cek = open_cek(ctx.keys.session_wrap, row.cek_sealed, row.acs_trans_id)  # type: ignore[arg-type]
    return encrypt_cres(cres, cek, enc=step.enc, kid=row.acs_trans_id, counter=row.acs_counter)


async def _screen_cres(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    step: AppStep,
    *,
    ctx: ResultKeys,
    language: str,
) -> dict[str, Any]:
    language = row.language or language  # the SDK's locale (AReq) first
    t = TEXTS[language]
    view = payment_view(txn, None, language)
    screen = CRes(
        three_ds_server_trans_id=txn.three_ds_server_trans_id,
        acs_trans_id=txn.acs_trans_id,
        sdk_trans_id=txn.sdk_trans_id,
        message_version=txn.message_version,
        acs_counter_ato_s=f"{row.acs_counter:03d}",
        challenge_completion_ind="N",
        why_info_label=t["title"],
        why_info_text=t["why"],
    )
    method = ChallengeMethod(row.method)
    if method is ChallengeMethod.SECURPASS_OOB:
        text = t["oob_text"].format(amount=view.amount, merchant=view.merchant)
        if step.wait_for_phone:
            text = f"{text} {t['oob_wait']}"
        return replace(
            screen, acs_ui_type=UI_TYPE[method], challenge_info_header=t["oob_header"],
            challenge_info_text=text, oob_continue_label=t["oob_continue"],
        ).to_wire()  # fmt: skip
    customer = await customers.get(session, txn.customer_id) if txn.customer_id else None
    mobile = masked_mobile(customer.secure_mobile if customer is not None else None)
    text = t["otp_text"].format(mobile=mobile, amount=view.amount, merchant=view.merchant)
    if step.notice:
        left = ctx.settings.otp_max_attempts - row.otp_attempts
        text = f"{t[step.notice].format(left=left)} {text}"
    can_resend = row.otp_sends <= ctx.settings.otp_max_resends
    return replace(
        screen, acs_ui_type=UI_TYPE[method], challenge_info_header=t["otp_header"],
        challenge_info_label=t["otp_label"], challenge_info_text=text,
        submit_authentication_label=t["otp_submit"],
        challenge_info_text_indicator="Y" if step.notice else "N",
        resend_information_label=t["otp_resend"] if can_resend else None,
    ).to_wire()  # fmt: skip
