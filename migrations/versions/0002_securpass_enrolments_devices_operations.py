"""Sécur'Pass: enrolments, activation tickets, devices, operations, request nonces, fraud
declarations, SP-15 lifts; an index on the audit trail per subject.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "securpass_request_nonces",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=86), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "nonce", name=op.f("pk_securpass_request_nonces")),
    )
    op.create_index(
        op.f("ix_securpass_request_nonces_expires_at"), "securpass_request_nonces", ["expires_at"]
    )

    op.create_table(
        "securpass_delay_lifts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("advisor_id", sa.String(length=64), nullable=False),
        sa.Column("identity_check", sa.String(length=32), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_securpass_delay_lifts_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_securpass_delay_lifts")),
    )
    op.create_index(
        op.f("ix_securpass_delay_lifts_customer_id"), "securpass_delay_lifts", ["customer_id"]
    )

    op.create_table(
        "securpass_enrolments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "selfcare",
                "branch",
                name="securpass_channel",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "initiated",
                "subscribed",
                "expired",
                "closed",
                "locked",
                name="securpass_enrolment_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("initiated_by", sa.String(length=64), nullable=True),
        sa.Column("sale_channel", sa.String(length=32), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.String(length=40), nullable=True),
        sa.Column("sms_otp_subscribed", sa.Boolean(), nullable=False),
        sa.Column("biometrics_payments", sa.Boolean(), nullable=False),
        sa.Column("biometrics_login", sa.Boolean(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_securpass_enrolments_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_securpass_enrolments")),
    )
    op.create_index(
        op.f("ix_securpass_enrolments_customer_id_state"),
        "securpass_enrolments",
        ["customer_id", "state"],
    )

    op.create_table(
        "securpass_activation_tickets",
        sa.Column("enrolment_id", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["securpass_enrolments.id"],
            name=op.f("fk_securpass_activation_tickets_enrolment_id_securpass_enrolments"),
        ),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_securpass_activation_tickets")),
    )
    op.create_table(
        "securpass_devices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("enrolment_id", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "blocked",
                "revoked",
                name="securpass_device_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("possession_jwk", sa.JSON(), nullable=False),
        sa.Column("possession_thumbprint", sa.String(length=64), nullable=False),
        sa.Column("biometric_jwk", sa.JSON(), nullable=True),
        sa.Column("code_verifier", sa.String(length=200), nullable=False),
        sa.Column("code_failures", sa.Integer(), nullable=False),
        sa.Column("last_counter", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("push_token", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=32), nullable=True),
        sa.Column("successful_uses", sa.Integer(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_securpass_devices_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["securpass_enrolments.id"],
            name=op.f("fk_securpass_devices_enrolment_id_securpass_enrolments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_securpass_devices")),
    )
    op.create_index(op.f("ix_securpass_devices_customer_id"), "securpass_devices", ["customer_id"])

    op.create_table(
        "securpass_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=40), nullable=False),
        sa.Column("card_id", BIG_ID, nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("summary_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                "cancelled",
                "expired",
                "failed",
                name="securpass_operation_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("refusal_reason", sa.String(length=16), nullable=True),
        sa.Column("ref_type", sa.String(length=16), nullable=True),
        sa.Column("ref_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_securpass_operations_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_securpass_operations_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["securpass_devices.id"],
            name=op.f("fk_securpass_operations_device_id_securpass_devices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_securpass_operations")),
    )
    op.create_index(
        op.f("ix_securpass_operations_device_id_status"),
        "securpass_operations",
        ["device_id", "status"],
    )
    op.create_index(
        op.f("ix_securpass_operations_ref_type_ref_id"),
        "securpass_operations",
        ["ref_type", "ref_id"],
    )

    op.create_table(
        "securpass_fraud_declarations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("card_id", BIG_ID, nullable=True),
        sa.Column("operation_id", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("exponent", sa.SmallInteger(), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("card_opposed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_securpass_fraud_declarations_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_securpass_fraud_declarations_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["securpass_operations.id"],
            name=op.f("fk_securpass_fraud_declarations_operation_id_securpass_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_securpass_fraud_declarations")),
        sa.UniqueConstraint(
            "operation_id", name=op.f("uq_securpass_fraud_declarations_operation_id")
        ),
    )
    op.create_index(
        op.f("ix_securpass_fraud_declarations_customer_id"),
        "securpass_fraud_declarations",
        ["customer_id"],
    )

    op.create_index(op.f("ix_audit_events_subject_id"), "audit_events", ["subject", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_events_subject_id"), table_name="audit_events")

    op.drop_index(
        op.f("ix_securpass_fraud_declarations_customer_id"),
        table_name="securpass_fraud_declarations",
    )

    op.drop_table("securpass_fraud_declarations")
    op.drop_index(
        op.f("ix_securpass_operations_ref_type_ref_id"), table_name="securpass_operations"
    )
    op.drop_index(
        op.f("ix_securpass_operations_device_id_status"), table_name="securpass_operations"
    )

    op.drop_table("securpass_operations")
    op.drop_index(op.f("ix_securpass_devices_customer_id"), table_name="securpass_devices")

    op.drop_table("securpass_devices")
    op.drop_table("securpass_activation_tickets")
    op.drop_index(
        op.f("ix_securpass_enrolments_customer_id_state"), table_name="securpass_enrolments"
    )

    op.drop_table("securpass_enrolments")
    op.drop_index(op.f("ix_securpass_delay_lifts_customer_id"), table_name="securpass_delay_lifts")

    op.drop_table("securpass_delay_lifts")
    op.drop_index(
        op.f("ix_securpass_request_nonces_expires_at"), table_name="securpass_request_nonces"
    )

    op.drop_table("securpass_request_nonces")
