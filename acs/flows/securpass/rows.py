"""Rows ⇄ the core's values: enrolments, activation tickets and device keys.

The Sécur'Pass core (:mod:`acs.securpass`) stores nothing; these functions turn what storage
keeps into the core's frozen values and copy a new core state back onto its row.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from acs.crypto.device import load_public_jwk
from acs.securpass.devices import DeviceKeys, DeviceStatus
from acs.securpass.enrolment import (
    ActivationTicket,
    Biometrics,
    Enrolment,
    EnrolmentChannel,
    EnrolmentState,
)
from acs.storage.securpass_models import DeviceRow, EnrolmentRow, TicketRow

__all__ = [
    "device_keys",
    "enrolment_of",
    "new_enrolment_row",
    "store_enrolment",
    "ticket_fields",
    "ticket_of",
    "with_ticket_expiry",
]


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
    row.state = enrolment.state
    row.expires_at = enrolment.expires_at
    row.activated_at = enrolment.activated_at
    row.device_id = enrolment.device_id
    row.sms_otp_subscribed = enrolment.sms_otp_subscribed
    row.biometrics_payments = enrolment.biometrics.payments
    row.biometrics_login = enrolment.biometrics.login
    row.ended_at = enrolment.ended_at
    row.generation = enrolment.generation
    row.updated_at = now


def new_enrolment_row(
    enrolment: Enrolment, *, now: datetime, sale_channel: str | None = None
) -> EnrolmentRow:
    row = EnrolmentRow(
        id=enrolment.enrolment_id,
        customer_id=enrolment.customer_id,
        channel=enrolment.channel,
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


def with_ticket_expiry(ticket: ActivationTicket, expires_at: datetime | None) -> ActivationTicket:
    """A branch code lives as long as the 24 h window (SP-33), not just 10 minutes."""
    return ticket if expires_at is None else replace(ticket, expires_at=expires_at)


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
