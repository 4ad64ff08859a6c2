"""Banking operations (``/banking/v1``) and the outbox of their signed callbacks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATUSES = ("pending", "approved", "refused", "cancelled", "expired", "failed")


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "banking_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("client_reference", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("summary_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *_STATUSES,
                name="banking_operation_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("securpass_operation_id", sa.String(length=40), nullable=True),
        sa.Column("trusted_device", sa.Boolean(), nullable=False),
        sa.Column("fraud_declared", sa.Boolean(), nullable=False),
        sa.Column("suspicious_login", sa.Boolean(), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("otp_hmac", sa.LargeBinary(length=32), nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("decided_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_banking_operations_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["securpass_operation_id"],
            ["securpass_operations.id"],
            name=op.f("fk_banking_operations_securpass_operation_id_securpass_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banking_operations")),
        sa.UniqueConstraint(
            "securpass_operation_id", name=op.f("uq_banking_operations_securpass_operation_id")
        ),
        sa.UniqueConstraint(
            "client",
            "client_reference",
            name=op.f("uq_banking_operations_client_client_reference"),
        ),
    )
    op.create_index(
        "ix_banking_operations_status_expires_at", "banking_operations", ["status", "expires_at"]
    )
    op.create_index(
        "ix_banking_operations_customer_id_created_at",
        "banking_operations",
        ["customer_id", "created_at"],
    )
    op.create_table(
        "banking_callbacks",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("operation_id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        _when("lease_until", nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        _when("delivered_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["banking_operations.id"],
            name=op.f("fk_banking_callbacks_operation_id_banking_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banking_callbacks")),
        sa.UniqueConstraint("operation_id", name=op.f("uq_banking_callbacks_operation_id")),
    )  # fmt: skip
    op.create_index(
        "ix_banking_callbacks_state_next_attempt_at",
        "banking_callbacks",
        ["state", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_banking_callbacks_state_next_attempt_at", table_name="banking_callbacks")
    op.drop_table("banking_callbacks")
    op.drop_index("ix_banking_operations_customer_id_created_at", table_name="banking_operations")
    op.drop_index("ix_banking_operations_status_expires_at", table_name="banking_operations")
    op.drop_table("banking_operations")
