"""SP-21/22/34, SP-40/41: the phone activates an enrolment with the 6-digit code, its keys and
its new Sécur'Pass code; the device it replaces is revoked in the same transaction.

The flow owns its unit of work: a wrong activation code (or an expired branch window) is
committed as a counted attempt, then raised.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.crypto.codes import CodeCryptoError, decrypt_code, enrolment_context, make_verifier
from acs.crypto.device import BadSignature, jwk_thumbprint, verify_es256
from acs.crypto.keys import KeyRing
from acs.flows.securpass.audit import audit_by_customer
from acs.flows.securpass.calls import (
    SignedCall,
    check_signature,
    public_fields,
    public_key_of,
    spend_nonce,
)
from acs.flows.securpass.enrolments import expire_if_due
from acs.flows.securpass.errors import InvalidRequest, UnknownResource
from acs.flows.securpass.operations import OperationHooks, revoke_devices
from acs.flows.securpass.rows import enrolment_of, store_enrolment, ticket_fields, ticket_of
from acs.flows.securpass.services import PhoneServices
from acs.securpass import enrolment as core
from acs.securpass.devices import DeviceStatus
from acs.securpass.encoding import b64u_decode
from acs.securpass.errors import (
    ActivationCodeRejected,
    InvalidTransition,
    Reason,
)
from acs.securpass.pincode import validate_new_code
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow, EnrolmentRow

__all__ = ["BIOMETRIC_PROOF_LABEL", "Activation", "activate_device", "biometric_proof_bytes"]

BIOMETRIC_PROOF_LABEL = "SP-BIOMETRIC-1"


@dataclass(frozen=True)
class Activation:
    """What the phone gets back from a successful activation."""

    device_id: str
    enrolment: EnrolmentRow
    revoked_device_ids: tuple[str, ...]


async def activate_device(
    services: PhoneServices,
    call: SignedCall,
    *,
    enrolment_id: str,
    customer_id: str,
    data: dict[str, Any],
    now: datetime,
) -> Activation:
    """SP-21/22/34, SP-40/41: register the phone; the old device is revoked in the same
    transaction and its pending operations cancelled."""
    fields = _activation_fields(data)
    possession = public_key_of(fields["possession_jwk"], name="possession_jwk")
    thumbprint = jwk_thumbprint(fields["possession_jwk"])
    verified = check_signature(call, thumbprint, possession, DeviceStatus.ACTIVE, now=now)
    _check_biometric_proof(fields, enrolment_id=enrolment_id, thumbprint=thumbprint)
    keys = services.keys
    code = _open_code(fields["code_jwe"], keys=keys, context=enrolment_context(enrolment_id))
    validate_new_code(code)  # SP-24: trivial codes refused
    verifier = await asyncio.to_thread(make_verifier, code, pepper=keys.pepper)
    failure: Exception | None = None
    async with services.sessions.begin() as session:
        row = await store.lock_enrolment(session, enrolment_id)
        if row is None or row.customer_id != customer_id:
            raise UnknownResource("unknown_enrolment", "no such enrolment for this customer")
        await spend_nonce(session, verified)
        if await expire_if_due(session, row, now=now):
            failure = InvalidTransition(Reason.ENROLMENT_EXPIRED, "the activation window passed")
        else:
            failure = await _check_ticket(session, row, fields["activation_code"], keys, now)
        if failure is None:
            result, keys_to_publish = await _register(
                session,
                row,
                fields=fields,
                thumbprint=thumbprint,
                verifier=verifier,
                hooks=services.hooks,
                now=now,
            )
    if failure is not None:
        raise failure
    await services.hub.publish(*keys_to_publish)
    return result


async def _check_ticket(
    session: Session, row: EnrolmentRow, code: str, keys: KeyRing, now: datetime
) -> Exception | None:
    ticket_row = await store.get_ticket(session, row.id)
    if ticket_row is None:
        return InvalidTransition(Reason.WRONG_STATE, "no activation code was issued")
    try:
        used = core.check_activation_code(
            ticket_of(ticket_row), code, key=keys.activation_key, now=now
        )
    except ActivationCodeRejected as exc:
        await store.set_ticket(session, row.id, **ticket_fields(exc.ticket))
        await audit_by_customer(
            session,
            row.customer_id,
            "activation_code_rejected",
            at=now,
            enrolment_id=row.id,
            reason=str(exc.reason),
            attempts_left=exc.ticket.attempts_left,
        )
        return exc
    await store.set_ticket(session, row.id, **ticket_fields(used))
    return None


async def _register(
    session: Session,
    row: EnrolmentRow,
    *,
    fields: dict[str, Any],
    thumbprint: str,
    verifier: str,
    hooks: OperationHooks,
    now: datetime,
) -> tuple[Activation, list[str]]:
    ticket_row = await store.get_ticket(session, row.id)
    assert ticket_row is not None
    device_id = str(uuid.uuid4())
    biometrics = core.Biometrics(**fields["biometrics"])
    change = core.activate(
        enrolment_of(row),
        ticket=ticket_of(ticket_row),
        device_id=device_id,
        now=now,
        biometrics=biometrics,
    )
    # One phone at a time (SP-40): also any other device of the customer still usable.
    others = await store.usable_devices(session, row.customer_id)
    to_revoke = sorted({*change.revoke_device_ids, *(d.id for d in others)})
    revoked, publish = await revoke_devices(
        session, to_revoke, reason="replaced", now=now, hooks=hooks
    )
    device = DeviceRow(
        id=device_id,
        customer_id=row.customer_id,
        enrolment_id=row.id,
        status=DeviceStatus.ACTIVE,
        possession_jwk=public_fields(fields["possession_jwk"]),
        possession_thumbprint=thumbprint,
        biometric_jwk=public_fields(fields["biometric_jwk"]) if fields["biometric_jwk"] else None,
        code_verifier=verifier,
        code_failures=0,
        last_counter=0,
        model=fields["model"],
        push_token=fields["push_token"],
        created_at=now,
        updated_at=now,
        successful_uses=0,
    )
    await store.add(session, device)
    store_enrolment(row, change.enrolment, now=now)
    await audit_by_customer(
        session,
        row.customer_id,
        "activated",
        at=now,
        enrolment_id=row.id,
        device_id=device_id,
        channel=str(row.channel),
        model=fields["model"],
        revoked_device_ids=revoked or None,
        biometrics_payments=biometrics.payments,
        biometrics_login=biometrics.login,
        sms_otp_subscribed=True,
        rule="SP-21/SP-22/SP-34",
    )
    return Activation(device_id, row, tuple(revoked)), publish


_ACTIVATION_KEYS = {
    "activation_code",
    "possession_jwk",
    "biometric_jwk",
    "biometric_proof",
    "code_jwe",
    "model",
    "push_token",
    "biometrics",
}


def _activation_fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidRequest("malformed_body", "the body must be a JSON object")
    if unknown := set(data) - _ACTIVATION_KEYS:
        raise InvalidRequest("malformed_body", f"unexpected fields {sorted(unknown)}")
    code = data.get("activation_code")
    if not isinstance(code, str) or not code.isdigit() or len(code) != 6:
        raise InvalidRequest("malformed_body", "activation_code must be 6 digits")
    for name in ("code_jwe", "model"):
        if not isinstance(data.get(name), str) or not data[name] or len(data[name]) > 2048:
            raise InvalidRequest("malformed_body", f"{name} must be a non-empty string")
    push = data.get("push_token")
    if push is not None and (not isinstance(push, str) or len(push) > 512):
        raise InvalidRequest("malformed_body", "push_token must be a string")
    bio = data.get("biometrics", {})
    if (
        not isinstance(bio, dict)
        or set(bio) - {"payments", "login"}
        or not all(isinstance(v, bool) for v in bio.values())
    ):
        raise InvalidRequest("malformed_body", "biometrics is {payments: bool, login: bool}")
    if (bio.get("payments") or bio.get("login")) and not data.get("biometric_jwk"):
        raise InvalidRequest("biometric_key_required", "biometrics need a biometric key (SP-23)")
    return {
        "activation_code": code,
        "possession_jwk": data.get("possession_jwk"),
        "biometric_jwk": data.get("biometric_jwk"),
        "biometric_proof": data.get("biometric_proof"),
        "code_jwe": data["code_jwe"],
        "model": data["model"][:100],
        "push_token": push,
        "biometrics": {"payments": bool(bio.get("payments")), "login": bool(bio.get("login"))},
    }


def biometric_proof_bytes(enrolment_id: str, thumbprint: str) -> bytes:
    """What the biometric key signs at activation: it proves the phone holds K_bio."""
    return f"{BIOMETRIC_PROOF_LABEL}\n{enrolment_id}\n{thumbprint}".encode()


def _check_biometric_proof(fields: dict[str, Any], *, enrolment_id: str, thumbprint: str) -> None:
    if fields["biometric_jwk"] is None:
        return
    key = public_key_of(fields["biometric_jwk"], name="biometric_jwk")
    try:
        proof = b64u_decode(fields["biometric_proof"] or "")
        verify_es256(key, proof, biometric_proof_bytes(enrolment_id, thumbprint))
    except (ValueError, BadSignature):
        raise InvalidRequest("invalid_key", "biometric_proof does not verify") from None


def _open_code(token: str, *, keys: KeyRing, context: str) -> str:
    try:
        return decrypt_code(token, server_key=keys.code_key, expected_context=context)
    except CodeCryptoError:
        raise InvalidRequest("invalid_code_envelope", "the code envelope does not open") from None
