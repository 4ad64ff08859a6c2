"""The phone decides an operation: approve (code or biometrics) or refuse (SP-52 … SP-56).

In ONE database transaction: verify the signed call and the answer (dynamic linking, counter,
key per method), check the code if any, move ``pending`` → decided with a conditional UPDATE
(exactly once, even under concurrent answers), declare fraud and oppose the card for ``not_me``,
call the hook of the operation's ``ref_type``, audit; commit; then publish the wake-ups.
Rows are locked in one order everywhere: enrolment, device, operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.crypto.codes import operation_context
from acs.domain import CardStatus, Opposition
from acs.flows import otp_failures
from acs.flows.securpass.audit import audit, audit_by_customer
from acs.flows.securpass.bodies import read_json
from acs.flows.securpass.calls import SignedCall, verify_device_call
from acs.flows.securpass.code_check import CodeCheck, check_code_attempt, wrong_code
from acs.flows.securpass.errors import Forbidden, InvalidRequest, UnknownResource
from acs.flows.securpass.operations import OperationHooks, call_hook, outcome_of
from acs.flows.securpass.rows import device_keys
from acs.flows.securpass.services import PhoneServices
from acs.notify import topics
from acs.protocol import format_amount
from acs.securpass.answers import Answer, RefusalReason, answer_from_wire
from acs.securpass.errors import AnswerRejected, Reason
from acs.securpass.operations import (
    OperationState,
    OperationStatus,
    OperationSummary,
    OperationType,
    VerifiedAnswer,
    conclude,
    verify_answer,
)
from acs.storage import cards
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import (
    DeviceRow,
    EnrolmentRow,
    FraudDeclarationRow,
    OperationRow,
)

__all__ = ["AnswerResult", "answer_operation", "refusal_message", "summary_of"]


@dataclass(frozen=True)
class AnswerResult:
    operation_id: str
    status: str
    method: str | None
    refusal_reason: str | None
    message: str
    card_opposed: bool = False

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "operation_id": self.operation_id,
            "status": self.status,
            "message": self.message,
        }
        if self.method:
            wire["method"] = self.method
        if self.refusal_reason:
            wire["reason"] = self.refusal_reason
            wire["card_opposed"] = self.card_opposed
        return wire


def summary_of(stored: Mapping[str, Any]) -> OperationSummary:
    """The stored summary as the core's value (its hash is recomputed from it)."""
    fields = dict(stored)
    fields["extra"] = tuple(sorted(dict(fields.get("extra") or {}).items()))
    return OperationSummary(**fields)


def refusal_message(summary: Mapping[str, Any]) -> str:
    """SP-54: the wording the app shows after a refusal (the amount as the challenge page
    shows it, ``41,99 €``)."""
    if summary.get("type") == OperationType.LOGIN:
        return "Connexion refusée : elle est signalée à Banxo comme suspecte."
    if not summary["amount_minor"]:  # a beneficiary, a signature, a contact change …
        return f"L'opération « {summary['payee']} » a été refusée. Opération annulée."
    amount = format_amount(summary["amount_minor"], summary["exponent"], summary["currency"])
    return f"L'opération de {amount} sur {summary['payee']} a été refusée. Opération annulée."


async def answer_operation(
    services: PhoneServices,
    call: SignedCall,
    *,
    operation_id: str,
    oppose_on_refusal: bool,
    now: datetime,
) -> AnswerResult:
    """Verify and record the phone's answer; raise after commit for a wrong code."""
    try:
        answer = answer_from_wire(read_json(call.body))
    except (InvalidRequest, ValueError):
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "the body is not JSON") from None
    check: CodeCheck | None = None
    result: AnswerResult | None = None
    hooks = services.hooks
    async with services.sessions.begin() as session:
        signed = await verify_device_call(session, call, now=now)
        enrolment = await store.lock_enrolment(session, signed.enrolment_id)
        device = await store.lock_device(session, signed.id)
        operation = await store.lock_operation(session, operation_id)
        assert enrolment is not None and device is not None
        if operation is None:
            raise UnknownResource("unknown_operation", "no such operation")
        if operation.device_id != device.id:
            raise Forbidden("not_your_operation", "this operation waits for another device")
        verified = _verify(
            answer, operation, device, _biometrics_for(operation, enrolment), now=now
        )
        device.last_counter, device.updated_at = verified.new_counter, now  # in every case
        if verified.code_check_required:
            assert verified.code_jwe is not None
            check = await check_code_attempt(
                session,
                device,
                enrolment,
                code_jwe=verified.code_jwe,
                context=operation_context(operation.id),
                keys=services.keys,
                hooks=hooks,
                now=now,
            )
        if check is None or check.ok:
            result, publish = await _decide(
                session,
                operation,
                device,
                verified,
                hooks=hooks,
                oppose=oppose_on_refusal,
                now=now,
            )
        else:
            publish = list(check.publish)
    await services.hub.publish(*publish)
    if result is None:
        assert check is not None
        raise wrong_code(check)
    return result


def _biometrics_for(operation: OperationRow, enrolment: EnrolmentRow) -> bool:
    """SP-23: biometrics are chosen separately for logging in and for validating operations;
    the switch that applies is the one for this operation's purpose."""
    if operation.summary.get("type") == OperationType.LOGIN:
        return bool(enrolment.biometrics_login)
    return bool(enrolment.biometrics_payments)


def _verify(
    answer: Answer, operation: OperationRow, device: DeviceRow, biometrics: bool, *, now: datetime
) -> VerifiedAnswer:
    if operation.status == OperationStatus.EXPIRED:
        raise AnswerRejected(Reason.EXPIRED, "the operation expired")
    # Any other status reads as "not pending" (and words the rejection as it always has).
    pending = operation.status == OperationStatus.PENDING
    status = OperationStatus.PENDING if pending else OperationStatus.CANCELLED
    state = OperationState(
        operation.id, operation.nonce, operation.summary_hash, operation.expires_at, status=status
    )
    return verify_answer(
        answer=answer,
        state=state,
        expected_summary_hash=summary_of(operation.summary).summary_hash(),
        device=device_keys(device, biometrics_payments=biometrics),
        now=now,
    )


async def _decide(
    session: Session,
    operation: OperationRow,
    device: DeviceRow,
    verified: VerifiedAnswer,
    *,
    hooks: OperationHooks,
    oppose: bool,
    now: datetime,
) -> tuple[AnswerResult, list[str]]:
    state = OperationState(
        operation.id, operation.nonce, operation.summary_hash, operation.expires_at
    )
    final = conclude(state, verified, now=now, code_ok=True)
    won = await store.decide_operation(
        session,
        operation.id,
        status=str(final.status),
        at=now,
        method=None if final.method is None else str(final.method),
        refusal_reason=None if final.refusal_reason is None else str(final.refusal_reason),
    )
    if not won:
        raise AnswerRejected(Reason.NOT_PENDING, "the operation was decided meanwhile")
    decided = await store.get_operation(session, operation.id)
    assert decided is not None
    opposed = False
    if final.status == OperationStatus.APPROVED:
        _count_use(device, now)
        # A successful Sécur'Pass authentication lifts an SMS OTP block (RTS Art. 4(3)(b)).
        await otp_failures.lift(session, decided.customer_id, actor=f"device:{device.id}", now=now)
        message = "Opération validée."
    else:
        message = refusal_message(decided.summary)
        # A refused login is a suspicious login (its hook reports it), not a fraud declaration.
        if final.refusal_reason == RefusalReason.NOT_ME and not _is_login(decided):
            opposed = await _declare_fraud(session, decided, oppose=oppose, now=now)
    outcome = outcome_of(decided)
    publish = [*await call_hook(session, outcome, hooks), topics.device(device.id)]
    await audit(
        session,
        at=now,
        actor=f"device:{device.id}",
        action=f"operation_{outcome.status}",
        customer_id=decided.customer_id,
        operation_id=decided.id,
        summary_hash=decided.summary_hash,
        method=outcome.method,
        reason=outcome.refusal_reason,
        ref_type=decided.ref_type,
        ref_id=decided.ref_id,
    )
    result = AnswerResult(
        decided.id, outcome.status, outcome.method, outcome.refusal_reason, message, opposed
    )
    return result, publish


def _is_login(operation: OperationRow) -> bool:
    return operation.summary.get("type") == OperationType.LOGIN


def _count_use(device: DeviceRow, now: datetime) -> None:
    """SP-42: successful uses over time make a trusted device."""
    device.successful_uses += 1
    device.first_used_at = device.first_used_at or now
    device.last_used_at = now


async def _declare_fraud(
    session: Session, operation: OperationRow, *, oppose: bool, now: datetime
) -> bool:
    """SP-55/56: a fraud declaration; the card is opposed for fraud when configured."""
    card = None if operation.card_id is None else await cards.get(session, operation.card_id)
    opposed = card is not None and oppose
    if card is not None and opposed:
        cards.set_status(card, CardStatus.OPPOSED, reason=Opposition.FRAUD, at=now)
    summary = operation.summary
    await store.add(
        session,
        FraudDeclarationRow(
            customer_id=operation.customer_id,
            card_id=operation.card_id,
            operation_id=operation.id,
            amount_minor=summary["amount_minor"],
            currency=summary["currency"],
            exponent=summary["exponent"],
            payee=summary["payee"][:200],
            declared_at=now,
            source="securpass_app",
            card_opposed=opposed,
        ),
    )
    await audit_by_customer(
        session,
        operation.customer_id,
        "fraud_declared",
        at=now,
        operation_id=operation.id,
        card_id=operation.card_id,
        card_opposed=opposed,
        rule="SP-55/SP-56",
    )
    return opposed
