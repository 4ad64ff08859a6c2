"""Sécur'Pass tables: enrolments, activation tickets, devices, operations, request nonces, fraud
declarations and SP-15 lifts (migration 0002).

No secret is stored in clear: the activation code only as an HMAC (``code_hash``), the Sécur'Pass
code only as a peppered scrypt verifier (``code_verifier``), keys only as public JWKs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from acs.securpass.devices import DeviceStatus
from acs.securpass.enrolment import EnrolmentChannel, EnrolmentState
from acs.securpass.operations import OperationStatus
from acs.storage.models import AuditEvent, Base, BigId, _enum

__all__ = [
    "DelayLiftRow",
    "DeviceRow",
    "EnrolmentRow",
    "FraudDeclarationRow",
    "OperationRow",
    "RequestNonceRow",
    "TicketRow",
]


class EnrolmentRow(Base):
    """One Sécur'Pass enrolment of a customer (``acs.securpass.enrolment.Enrolment``)."""

    __tablename__ = "securpass_enrolments"
    __table_args__ = (
        sa.Index("ix_securpass_enrolments_customer_id_state", "customer_id", "state"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"))
    channel: Mapped[EnrolmentChannel] = mapped_column(_enum(EnrolmentChannel, "securpass_channel"))
    state: Mapped[EnrolmentState] = mapped_column(
        _enum(EnrolmentState, "securpass_enrolment_state")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    initiated_by: Mapped[str | None] = mapped_column(sa.String(64))  # advisor (SP-31)
    sale_channel: Mapped[str | None] = mapped_column(sa.String(32))
    activated_at: Mapped[datetime | None]  # SP-21 / SP-34
    device_id: Mapped[str | None] = mapped_column(sa.String(40))
    sms_otp_subscribed: Mapped[bool] = mapped_column(default=False)  # SP-22
    biometrics_payments: Mapped[bool] = mapped_column(default=False)  # SP-23 (a)
    biometrics_login: Mapped[bool] = mapped_column(default=False)  # SP-23 (b)
    ended_at: Mapped[datetime | None]
    generation: Mapped[int] = mapped_column(default=0)


class TicketRow(Base):
    """The current activation code of an enrolment: only its HMAC, expiry and attempts."""

    __tablename__ = "securpass_activation_tickets"

    enrolment_id: Mapped[str] = mapped_column(
        sa.ForeignKey("securpass_enrolments.id"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime]
    generation: Mapped[int]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DeviceRow(Base):
    """An activated phone: public keys, code verifier, counters, status; SP-42 usage facts."""

    __tablename__ = "securpass_devices"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    enrolment_id: Mapped[str] = mapped_column(sa.ForeignKey("securpass_enrolments.id"))
    status: Mapped[DeviceStatus] = mapped_column(_enum(DeviceStatus, "securpass_device_status"))
    possession_jwk: Mapped[dict[str, Any]]
    possession_thumbprint: Mapped[str] = mapped_column(sa.String(64))
    biometric_jwk: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    code_verifier: Mapped[str] = mapped_column(sa.String(200))
    code_failures: Mapped[int] = mapped_column(default=0)
    last_counter: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    model: Mapped[str] = mapped_column(sa.String(100))
    push_token: Mapped[str | None] = mapped_column(sa.String(512))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(32))
    successful_uses: Mapped[int] = mapped_column(default=0)  # SP-42
    first_used_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class OperationRow(Base):
    """An operation waiting for (or decided by) the phone, with its dynamic-linking data."""

    __tablename__ = "securpass_operations"
    __table_args__ = (
        sa.Index("ix_securpass_operations_device_id_status", "device_id", "status"),
        sa.Index("ix_securpass_operations_ref_type_ref_id", "ref_type", "ref_id"),
        sa.Index("ix_securpass_operations_customer_id_created_at", "customer_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"))
    device_id: Mapped[str] = mapped_column(sa.ForeignKey("securpass_devices.id"))
    card_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cards.id"))
    summary: Mapped[dict[str, Any]]
    summary_hash: Mapped[str] = mapped_column(sa.String(64))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[OperationStatus] = mapped_column(
        _enum(OperationStatus, "securpass_operation_status")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    method: Mapped[str | None] = mapped_column(sa.String(16))
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(16))
    ref_type: Mapped[str | None] = mapped_column(sa.String(16))
    ref_id: Mapped[str | None] = mapped_column(sa.String(64))


class RequestNonceRow(Base):
    """A signed-call nonce already used, kept until ``expires_at`` (works across processes)."""

    __tablename__ = "securpass_request_nonces"

    device_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # or a thumbprint
    nonce: Mapped[str] = mapped_column(sa.String(86), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class FraudDeclarationRow(Base):
    """SP-55/56: "Je refuse ce paiement" with reason ``not_me`` (``source`` securpass_app), or
    a fraud the cardholder reported to an advisor by phone, e-mail or in branch (``source``
    advisor, migration 0010); qualified at the fraud desk (docs/backoffice.md)."""

    __tablename__ = "securpass_fraud_declarations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cards.id"))
    operation_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("securpass_operations.id"), unique=True
    )
    acs_trans_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    channel: Mapped[str | None] = mapped_column(sa.String(16))  # phone | email | branch
    notes: Mapped[str | None] = mapped_column(sa.Text)
    declared_by: Mapped[str | None] = mapped_column(sa.String(64))  # staff:<id>
    qualification: Mapped[str | None] = mapped_column(sa.String(24))
    qualified_by: Mapped[str | None] = mapped_column(sa.String(64))
    qualified_at: Mapped[datetime | None]
    qualification_note: Mapped[str | None] = mapped_column(sa.Text)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    exponent: Mapped[int] = mapped_column(sa.SmallInteger)
    payee: Mapped[str] = mapped_column(sa.String(200))
    declared_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(sa.String(32))  # "securpass_app"
    card_opposed: Mapped[bool] = mapped_column(default=False)


class DelayLiftRow(Base):
    """SP-15: an advisor lifted the 72-hour e-mail delay after a reinforced identity check."""

    __tablename__ = "securpass_delay_lifts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    advisor_id: Mapped[str] = mapped_column(sa.String(64))
    identity_check: Mapped[str] = mapped_column(sa.String(32))
    lifted_at: Mapped[datetime]


# The audit chain is also read per subject (a customer's history for the back office).
sa.Index("ix_audit_events_subject_id", AuditEvent.subject, AuditEvent.id)
