"""Flows of an activated phone: its status, biometrics (SP-23), code change (SP-24) and closure
(SP-43). The code check itself (and the SP-45 block) is :mod:`.code_check`.

Every function here runs after :func:`~acs.flows.securpass.calls.verify_device_call` accepted
the signed call, inside the caller's unit of work, except those that must keep a failed code
attempt: they own their unit of work, commit the attempt, then raise :class:`CodeRejected`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from acs.crypto.codes import CodeCryptoError, decrypt_code, enrolment_context, make_verifier
from acs.flows.securpass.audit import audit_by_device
from acs.flows.securpass.bodies import read_object
from acs.flows.securpass.calls import (
    SignedCall,
    public_fields,
    public_key_of,
    verify_device_call,
)
from acs.flows.securpass.code_check import CodeCheck, check_code_attempt, wrong_code
from acs.flows.securpass.errors import InvalidRequest, UnknownResource
from acs.flows.securpass.operations import OperationHooks, revoke_devices
from acs.flows.securpass.rows import enrolment_of, store_enrolment
from acs.flows.securpass.services import PhoneServices
from acs.flows.securpass.views import enrolment_view
from acs.notify.hub import Hub
from acs.securpass import enrolment as core
from acs.securpass.pincode import CodeAttempts, validate_new_code
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow, EnrolmentRow

__all__ = [
    "change_code",
    "close_enrolment",
    "device_view",
    "set_biometrics",
]


async def enrolment_for(session: Session, device: DeviceRow) -> EnrolmentRow:
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


def _body(call: SignedCall) -> dict[str, Any]:
    return read_object(call.body)


async def set_biometrics(
    session: Session, device: DeviceRow, data: dict[str, Any], *, now: datetime
) -> EnrolmentRow:
    """SP-23: switch biometrics on or off for ``payments`` or ``login``, independently."""
    purpose, enabled = data.get("purpose"), data.get("enabled")
    if purpose not in ("payments", "login") or not isinstance(enabled, bool):
        raise InvalidRequest("malformed_body", "expected {purpose: payments|login, enabled}")
    if set(data) - {"purpose", "enabled", "biometric_jwk"}:
        raise InvalidRequest("malformed_body", "unexpected fields")
    if data.get("biometric_jwk") is not None:
        public_key_of(data["biometric_jwk"], name="biometric_jwk")
        device.biometric_jwk = public_fields(data["biometric_jwk"])
    if enabled and device.biometric_jwk is None:
        raise InvalidRequest("biometric_key_required", "enabling biometrics needs a biometric key")
    enrolment = await enrolment_for(session, device)
    changed = core.set_biometrics(enrolment_of(enrolment), purpose=purpose, enabled=enabled)
    store_enrolment(enrolment, changed, now=now)
    device.updated_at = now
    await audit_by_device(
        session,
        device,
        "biometrics_changed",
        at=now,
        device_id=device.id,
        purpose=purpose,
        enabled=enabled,
        rule="SP-23",
    )
    return enrolment


async def change_code(
    services: PhoneServices, call: SignedCall, *, device_id: str, now: datetime
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
    keys = services.keys
    async with services.sessions.begin() as session:
        device = await verify_device_call(session, call, now=now, expected_device_id=device_id)
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
            hooks=services.hooks,
            now=now,
        )
        if check.ok:
            device.code_verifier = await asyncio.to_thread(
                make_verifier, new_code, pepper=keys.pepper
            )
            device.updated_at = now
            await audit_by_device(
                session,
                device,
                "code_changed",
                at=now,
                device_id=device.id,
                rule="SP-24",
            )
    await _after_code_check(check, services.hub)


async def _after_code_check(check: CodeCheck, hub: Hub) -> None:
    await hub.publish(*check.publish)
    if not check.ok:
        raise wrong_code(check)


async def close_enrolment(
    session: Session,
    device: DeviceRow,
    enrolment_id: str,
    *,
    hooks: OperationHooks,
    now: datetime,
) -> tuple[EnrolmentRow, list[str]]:
    """SP-43: the customer closes Sécur'Pass; the device is revoked, its pending operations
    cancelled; challenges fall back to SMS OTP (still subscribed, SP-22)."""
    enrolment = await enrolment_for(session, device)
    if enrolment.id != enrolment_id:
        raise UnknownResource("unknown_enrolment", "not this device's enrolment")
    change = core.close(enrolment_of(enrolment), now=now)
    revoked, publish = await revoke_devices(
        session, [*change.revoke_device_ids, device.id], reason="closed", now=now, hooks=hooks
    )
    store_enrolment(enrolment, change.enrolment, now=now)
    await audit_by_device(
        session,
        device,
        "closed",
        at=now,
        enrolment_id=enrolment.id,
        revoked_device_ids=revoked,
        rule="SP-43",
    )
    return enrolment, publish
