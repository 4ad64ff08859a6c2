"""The Sécur'Pass code, checked against the stored verifier: a failure is counted, the fifth
blocks the device, locks the enrolment and fails its pending operations (SP-45, RTS Art. 4(3)(b));
a wrong code gets one generic answer (RTS Art. 4(3)(a))."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from acs.crypto.codes import CodeCryptoError, check_code, decrypt_code
from acs.crypto.keys import KeyRing
from acs.flows.securpass.audit import audit_by_device, audit_by_system
from acs.flows.securpass.errors import CodeRejected
from acs.flows.securpass.operations import OperationHooks, finish_pending
from acs.flows.securpass.rows import enrolment_of, store_enrolment
from acs.notify import topics
from acs.securpass import enrolment as core
from acs.securpass.devices import DeviceStatus
from acs.securpass.operations import OperationStatus
from acs.securpass.pincode import CodeAttempts
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow, EnrolmentRow

__all__ = ["CodeCheck", "check_code_attempt", "wrong_code"]


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    attempts_left: int
    blocked: bool
    publish: tuple[str, ...] = ()


async def check_code_attempt(
    session: Session,
    device: DeviceRow,
    enrolment: EnrolmentRow,
    *,
    code_jwe: str,
    context: str,
    keys: KeyRing,
    hooks: OperationHooks,
    now: datetime,
) -> CodeCheck:
    """Check the code (scrypt in a thread); count a failure; at five, block the device, lock
    the enrolment and fail the device's pending operations (SP-45, RTS Art. 4(3)(b))."""
    attempts = CodeAttempts(device.code_failures)
    if await _code_matches(code_jwe, device.code_verifier, keys=keys, context=context):
        device.code_failures = attempts.record_success().failures
        return CodeCheck(True, CodeAttempts(device.code_failures).attempts_left, False)
    attempts = attempts.record_failure()
    device.code_failures, device.updated_at = attempts.failures, now
    publish: list[str] = []
    if attempts.blocked:
        publish = await _block(session, device, enrolment, hooks=hooks, now=now)
    await audit_by_device(
        session,
        device,
        "code_rejected",
        at=now,
        device_id=device.id,
        attempts_left=attempts.attempts_left,
        blocked=attempts.blocked,
    )
    return CodeCheck(False, attempts.attempts_left, attempts.blocked, tuple(publish))


async def _code_matches(code_jwe: str, verifier: str, *, keys: KeyRing, context: str) -> bool:
    try:
        code = decrypt_code(code_jwe, server_key=keys.code_key, expected_context=context)
    except CodeCryptoError:
        return False  # counted like a wrong code: the answer must not say which element failed
    return await asyncio.to_thread(check_code, code, verifier, pepper=keys.pepper)


async def _block(
    session: Session,
    device: DeviceRow,
    enrolment: EnrolmentRow,
    *,
    hooks: OperationHooks,
    now: datetime,
) -> list[str]:
    device.status = DeviceStatus.BLOCKED
    if enrolment.state == core.EnrolmentState.SUBSCRIBED:
        store_enrolment(enrolment, core.lock(enrolment_of(enrolment), now=now), now=now)
    pending = await store.pending_operations(session, now=now, device_id=device.id)
    publish = await finish_pending(
        session, pending, status=OperationStatus.FAILED, now=now, hooks=hooks
    )
    await audit_by_system(
        session,
        device.customer_id,
        "device_blocked",
        at=now,
        device_id=device.id,
        enrolment_id=enrolment.id,
        failed_operations=[r.id for r in pending] or None,
        rule="SP-45",
    )
    return [*publish, topics.device(device.id)]


def wrong_code(check: CodeCheck) -> CodeRejected:
    """The one answer to a wrong code: generic, with the attempts left (RTS Art. 4(3)(a))."""
    if check.blocked:
        return CodeRejected(
            "device_blocked",
            "Sécur'Pass est bloqué : réactivez-le depuis l'application (SP-45)",
            attempts_left=0,
        )
    warning = " Attention : dernier essai." if check.attempts_left == 1 else ""
    return CodeRejected(
        "authentication_failed",
        f"Échec de l'authentification.{warning}",
        attempts_left=check.attempts_left,
    )
