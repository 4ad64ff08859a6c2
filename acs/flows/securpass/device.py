"""Flows of an activated phone: its status, biometrics (SP-23), code change (SP-24), closure
(SP-43), the wrong-code counter (SP-45) and the operations waiting for it.

Every function here runs after :func:`~acs.flows.securpass.common.verify_device_call` accepted
the signed call, inside the caller's unit of work, except those that must keep a failed code
attempt: they own their unit of work, commit the attempt, then raise :class:`CodeRejected`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acs.crypto.codes import (
    CodeCryptoError,
    check_code,
    decrypt_code,
    enrolment_context,
    make_verifier,
)
from acs.crypto.keys import KeyRing
from acs.flows.securpass.bodies import read_object
from acs.flows.securpass.common import (
    CodeRejected,
    InvalidRequest,
    UnknownResource,
    audit,
    enrolment_of,
    public_key_of,
    store_enrolment,
    verify_device_call,
)
from acs.flows.securpass.operations import device_key, finish_pending
from acs.notify.hub import Hub
from acs.securpass import enrolment as core
from acs.securpass.operations import format_time
from acs.securpass.pincode import CodeAttempts, validate_new_code
from acs.storage import securpass as store
from acs.storage.securpass_models import DeviceRow, EnrolmentRow, OperationRow

__all__ = [
    "CodeCheck",
    "SignedCall",
    "change_code",
    "check_code_attempt",
    "close_enrolment",
    "device_view",
    "operation_view",
    "set_biometrics",
]


@dataclass(frozen=True)
class SignedCall:
    """A device call as received: what :func:`verify_device_call` checks."""

    method: str
    path: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    attempts_left: int
    blocked: bool
    publish: tuple[str, ...] = ()


async def enrolment_for(session: AsyncSession, device: DeviceRow) -> EnrolmentRow:
    row = await store.lock_enrolment(session, device.enrolment_id)
    if row is None:  # pragma: no cover - a device always has its enrolment
        raise UnknownResource("unknown_enrolment", "the device has no enrolment")
    return row


def device_view(device: DeviceRow, enrolment: EnrolmentRow, *, trusted: bool) -> dict[str, Any]:
    return {
        "device_id": device.id,
        "status": str(device.status),
        "model": device.model,
        "enrolment": enrolment_view(enrolment),
        "code_attempts_left": CodeAttempts(device.code_failures).attempts_left,
        "trusted": trusted,
    }


def enrolment_view(row: EnrolmentRow) -> dict[str, Any]:
    return {
        "enrolment_id": row.id,
        "channel": str(row.channel),
        "state": str(row.state),
        "created_at": format_time(row.created_at),
        "expires_at": None if row.expires_at is None else format_time(row.expires_at),
        "activated_at": None if row.activated_at is None else format_time(row.activated_at),
        "ended_at": None if row.ended_at is None else format_time(row.ended_at),
        "sms_otp_subscribed": row.sms_otp_subscribed,
        "biometrics": {"payments": row.biometrics_payments, "login": row.biometrics_login},
    }


def operation_view(row: OperationRow) -> dict[str, Any]:
    """The challenge the phone shows and signs (protocol §6)."""
    return {
        "operation_id": row.id,
        "summary": row.summary,
        "nonce": row.nonce,
        "summary_hash": row.summary_hash,
        "expires_at": format_time(row.expires_at),
        "status": str(row.status),
    }


async def check_code_attempt(
    session: AsyncSession,
    device: DeviceRow,
    enrolment: EnrolmentRow,
    *,
    code_jwe: str,
    context: str,
    keys: KeyRing,
    hooks: Mapping[str, Any],
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
    await audit(
        session,
        at=now,
        actor=f"device:{device.id}",
        action="code_rejected",
        customer_id=device.customer_id,
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
    session: AsyncSession,
    device: DeviceRow,
    enrolment: EnrolmentRow,
    *,
    hooks: Mapping[str, Any],
    now: datetime,
) -> list[str]:
    device.status = "blocked"
    if enrolment.state == core.EnrolmentState.SUBSCRIBED:
        store_enrolment(enrolment, core.lock(enrolment_of(enrolment), now=now), now=now)
    pending = await store.pending_operations(session, now=now, device_id=device.id)
    publish = await finish_pending(session, pending, status="failed", now=now, hooks=hooks)
    await audit(
        session,
        at=now,
        actor="system",
        action="device_blocked",
        customer_id=device.customer_id,
        device_id=device.id,
        enrolment_id=enrolment.id,
        failed_operations=[r.id for r in pending] or None,
        rule="SP-45",
    )
    return [*publish, device_key(device.id)]


def _body(call: SignedCall) -> dict[str, Any]:
    return read_object(call.body)


async def set_biometrics(
    session: AsyncSession, device: DeviceRow, data: dict[str, Any], *, now: datetime
) -> EnrolmentRow:
    """SP-23: switch biometrics on or off for ``payments`` or ``login``, independently."""
    purpose, enabled = data.get("purpose"), data.get("enabled")
    if purpose not in ("payments", "login") or not isinstance(enabled, bool):
        raise InvalidRequest("malformed_body", "expected {purpose: payments|login, enabled}")
    if set(data) - {"purpose", "enabled", "biometric_jwk"}:
        raise InvalidRequest("malformed_body", "unexpected fields")
    if data.get("biometric_jwk") is not None:
        public_key_of(data["biometric_jwk"], name="biometric_jwk")
        device.biometric_jwk = {k: data["biometric_jwk"][k] for k in ("kty", "crv", "x", "y")}
    if enabled and device.biometric_jwk is None:
        raise InvalidRequest("biometric_key_required", "enabling biometrics needs a biometric key")
    enrolment = await enrolment_for(session, device)
    changed = core.set_biometrics(enrolment_of(enrolment), purpose=purpose, enabled=enabled)
    store_enrolment(enrolment, changed, now=now)
    device.updated_at = now
    await audit(
        session,
        at=now,
        actor=f"device:{device.id}",
        action="biometrics_changed",
        customer_id=device.customer_id,
        device_id=device.id,
        purpose=purpose,
        enabled=enabled,
        rule="SP-23",
    )
    return enrolment


async def change_code(
    sessions: async_sessionmaker,
    call: SignedCall,
    *,
    device_id: str,
    keys: KeyRing,
    hooks: Mapping[str, Any],
    hub: Hub,
    now: datetime,
) -> None:
    """SP-24: a new code, only with the current one (a wrong one counts towards SP-45)."""
    data = _body(call)
    current, new = data.get("current_code_jwe"), data.get("new_code_jwe")
    if (
        not isinstance(current, str)
        or not isinstance(new, str)
        or set(data)
        - {
            "current_code_jwe",
            "new_code_jwe",
        }
    ):
        raise InvalidRequest("malformed_body", "expected {current_code_jwe, new_code_jwe}")
    async with sessions.begin() as session:
        device = await verify_device_call(
            session, **_call_args(call), now=now, expected_device_id=device_id
        )
        enrolment = await enrolment_for(session, device)
        context = enrolment_context(enrolment.id)
        try:
            new_code = decrypt_code(new, server_key=keys.code_key, expected_context=context)
        except CodeCryptoError:
            raise InvalidRequest("invalid_code_envelope", "the new code does not open") from None
        validate_new_code(new_code)
        check = await check_code_attempt(
            session,
            device,
            enrolment,
            code_jwe=current,
            context=context,
            keys=keys,
            hooks=hooks,
            now=now,
        )
        if check.ok:
            device.code_verifier = await asyncio.to_thread(
                make_verifier, new_code, pepper=keys.pepper
            )
            device.updated_at = now
            await audit(
                session,
                at=now,
                actor=f"device:{device.id}",
                action="code_changed",
                customer_id=device.customer_id,
                device_id=device.id,
                rule="SP-24",
            )
    await _after_code_check(check, hub)


async def _after_code_check(check: CodeCheck, hub: Hub) -> None:
    await hub.publish(*check.publish)
    if not check.ok:
        raise wrong_code(check)


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


def _call_args(call: SignedCall) -> dict[str, Any]:
    return {"method": call.method, "path": call.path, "body": call.body, "headers": call.headers}


async def close_enrolment(
    session: AsyncSession,
    device: DeviceRow,
    enrolment_id: str,
    *,
    hooks: Mapping[str, Any],
    now: datetime,
) -> tuple[EnrolmentRow, list[str]]:
    """SP-43: the customer closes Sécur'Pass; the device is revoked, its pending operations
    cancelled; challenges fall back to SMS OTP (still subscribed, SP-22)."""
    enrolment = await enrolment_for(session, device)
    if enrolment.id != enrolment_id:
        raise UnknownResource("unknown_enrolment", "not this device's enrolment")
    change = core.close(enrolment_of(enrolment), now=now)
    revoked = await store.revoke_devices(
        session, [*change.revoke_device_ids, device.id], at=now, reason="closed"
    )
    publish = [device_key(d) for d in revoked]
    for old in revoked:
        pending = await store.pending_operations(session, now=now, device_id=old)
        publish += await finish_pending(session, pending, status="cancelled", now=now, hooks=hooks)
    store_enrolment(enrolment, change.enrolment, now=now)
    await audit(
        session,
        at=now,
        actor=f"device:{device.id}",
        action="closed",
        customer_id=device.customer_id,
        enrolment_id=enrolment.id,
        revoked_device_ids=revoked,
        rule="SP-43",
    )
    return enrolment, publish


def call_args(call: SignedCall) -> dict[str, Any]:
    return _call_args(call)
