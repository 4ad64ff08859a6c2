"""What the Sécur'Pass flows share: their error family, row ⇄ core conversions, signed-call
verification against stored devices and nonces, and the audit helper.

Errors of the Sécur'Pass flows (the core's :class:`~acs.securpass.errors.SecurPassError` family
passes through unchanged)::

    SecurPassFlowError              ``reason`` for machines, ``message`` for people, ``extra``
    ├── UnknownResource             unknown_customer, unknown_enrolment, unknown_device,
    │                               unknown_operation
    ├── InvalidRequest              malformed_body, invalid_key, invalid_code_envelope,
    │                               biometric_key_required, identity_required, advisor_required
    ├── NotEligible                 not_eligible, with every unmet rule (SP-10 … SP-16)
    ├── Forbidden                   customer_mismatch, not_your_operation
    └── CodeRejected                authentication_failed (generic, RTS Art. 4(3)(a)) with
                                    attempts_left; device_blocked once blocked (SP-45)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from acs.crypto.device import DeviceKeyError, load_public_jwk
from acs.securpass.devices import DeviceKeys, DeviceStatus
from acs.securpass.enrolment import (
    ActivationTicket,
    Biometrics,
    Enrolment,
    EnrolmentChannel,
    EnrolmentState,
)
from acs.securpass.errors import Reason, RequestRejected
from acs.securpass.signing import read_device_id, verify_signed_request
from acs.storage import securpass as store
from acs.storage.audit import append_audit
from acs.storage.securpass_models import DeviceRow, EnrolmentRow, TicketRow

__all__ = [
    "CodeRejected",
    "Forbidden",
    "InvalidRequest",
    "NotEligible",
    "SecurPassFlowError",
    "UnknownResource",
    "audit",
    "device_keys",
    "enrolment_of",
    "store_enrolment",
    "ticket_fields",
    "ticket_of",
    "verify_device_call",
]


class SecurPassFlowError(Exception):
    """A refusal by the Sécur'Pass flows; never carries a code, key or PAN."""

    def __init__(self, reason: str, message: str, **extra: Any) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason, self.message, self.extra = reason, message, extra


class UnknownResource(SecurPassFlowError):
    """The customer, enrolment, device or operation does not exist (or is not yours)."""


class InvalidRequest(SecurPassFlowError):
    """The request is malformed or incomplete."""


class NotEligible(SecurPassFlowError):
    """SP-10 … SP-16: ``extra["unmet"]`` lists every unmet condition with its rule."""


class Forbidden(SecurPassFlowError):
    """The caller may not act on this resource."""


class CodeRejected(SecurPassFlowError):
    """A wrong Sécur'Pass code: a generic answer and the attempts left (RTS Art. 4(3)(a))."""


def enrolment_of(row: EnrolmentRow) -> Enrolment:
    return Enrolment(
        enrolment_id=row.id,
        customer_id=row.customer_id,
        channel=EnrolmentChannel(row.channel),
        state=EnrolmentState(row.state),
        created_at=row.created_at,
        expires_at=row.expires_at,
        initiated_by=row.initiated_by,
        activated_at=row.activated_at,
        device_id=row.device_id,
        sms_otp_subscribed=row.sms_otp_subscribed,
        biometrics=Biometrics(payments=row.biometrics_payments, login=row.biometrics_login),
        ended_at=row.ended_at,
        generation=row.generation,
    )


def store_enrolment(row: EnrolmentRow, enrolment: Enrolment, *, now: datetime) -> None:
    """Copy a new core state onto its row."""
    row.state = str(enrolment.state)
    row.expires_at = enrolment.expires_at
    row.activated_at = enrolment.activated_at
    row.device_id = enrolment.device_id
    row.sms_otp_subscribed = enrolment.sms_otp_subscribed
    row.biometrics_payments = enrolment.biometrics.payments
    row.biometrics_login = enrolment.biometrics.login
    row.ended_at = enrolment.ended_at
    row.generation = enrolment.generation
    row.updated_at = now


def new_enrolment_row(enrolment: Enrolment, *, now: datetime, sale_channel: str | None = None):
    row = EnrolmentRow(
        id=enrolment.enrolment_id,
        customer_id=enrolment.customer_id,
        channel=str(enrolment.channel),
        created_at=enrolment.created_at,
        initiated_by=enrolment.initiated_by,
        sale_channel=sale_channel,
    )
    store_enrolment(row, enrolment, now=now)
    return row


def ticket_of(row: TicketRow) -> ActivationTicket:
    return ActivationTicket(
        enrolment_id=row.enrolment_id,
        code_hash=row.code_hash,
        expires_at=row.expires_at,
        generation=row.generation,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        used_at=row.used_at,
    )


def ticket_fields(ticket: ActivationTicket) -> dict[str, Any]:
    return {
        "code_hash": ticket.code_hash,
        "expires_at": ticket.expires_at,
        "generation": ticket.generation,
        "attempts": ticket.attempts,
        "max_attempts": ticket.max_attempts,
        "used_at": ticket.used_at,
    }


def device_keys(row: DeviceRow, *, biometrics_payments: bool) -> DeviceKeys:
    """The core's view of a stored device; the biometric key counts only while biometrics are
    enabled for payments (SP-23)."""
    bio = row.biometric_jwk if biometrics_payments else None
    return DeviceKeys(
        device_id=row.id,
        possession_key=load_public_jwk(row.possession_jwk),
        biometric_key=None if bio is None else load_public_jwk(bio),
        last_counter=row.last_counter,
        status=DeviceStatus(row.status),
    )


def public_key_of(jwk: Any, *, name: str):
    """A phone's public JWK, or :class:`InvalidRequest` ``invalid_key``."""
    try:
        return load_public_jwk(jwk)
    except DeviceKeyError as exc:
        raise InvalidRequest("invalid_key", f"{name}: {exc}") from None


async def verify_device_call(
    session: AsyncSession,
    *,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    expected_device_id: str | None = None,
) -> DeviceRow:
    """A signed call of a known device (±120 s, nonce used once across processes); its row.

    Raises :class:`RequestRejected` (401) or :class:`DeviceUnusable` (401 revoked / 403 blocked).
    """
    device_id = read_device_id(headers)
    if expected_device_id is not None and device_id != expected_device_id:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "the path names another device")
    row = await store.get_device(session, device_id)
    if row is None:
        raise RequestRejected(Reason.DEVICE_MISMATCH, "no such device")
    verified = verify_signed_request(
        method=method,
        path=path,
        body=body,
        headers=headers,
        expected_device_id=device_id,
        public_key=load_public_jwk(row.possession_jwk),
        device_status=DeviceStatus(row.status),
        now=now,
    )
    fresh = await store.remember_nonce(
        session, device_id=device_id, nonce=verified.nonce, expires_at=verified.nonce_expires_at
    )
    if not fresh:
        raise RequestRejected(Reason.REPLAYED_NONCE, "this nonce was already used")
    return row


async def audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    customer_id: str,
    **detail: Any,
) -> None:
    """One audit event about a customer's Sécur'Pass (never a code, key or PAN in ``detail``)."""
    await append_audit(
        session,
        at=at,
        actor=actor,
        action=f"securpass.{action}",
        subject=f"customer:{customer_id}",
        detail={k: v for k, v in detail.items() if v is not None},
    )


def with_ticket_expiry(ticket: ActivationTicket, expires_at: datetime | None) -> ActivationTicket:
    """A branch code lives as long as the 24 h window (SP-33), not just 10 minutes."""
    return ticket if expires_at is None else replace(ticket, expires_at=expires_at)
