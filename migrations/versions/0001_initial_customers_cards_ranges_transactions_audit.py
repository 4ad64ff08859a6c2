"""Initial schema: customers, cards, card ranges, transactions, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    _audit_events()
    _card_ranges()
    _customers()
    _cards()
    _transactions()


def _audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", BIG_ID, nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_events_prev_hash")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])


def _card_ranges() -> None:
    op.create_table(
        "card_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(16), nullable=False),
        sa.Column("end", sa.String(16), nullable=False),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("method_url", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_ranges")),
        sa.UniqueConstraint("start", "end", name=op.f("uq_card_ranges_start_end")),
    )


def _customers() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", _enum("customer_kind", "individual", "business"), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("remote_banking", sa.Boolean(), nullable=False),
        sa.Column("secure_mobile", sa.String(32), nullable=True),
        sa.Column("personal_email", sa.String(254), nullable=True),
        _ts("email_recorded_at", nullable=True),
        sa.Column("has_app", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )


def _cards() -> None:
    op.create_table(
        "cards",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("pan_hmac", sa.LargeBinary(32), nullable=False),
        sa.Column("pan_kid", sa.String(32), nullable=False),
        sa.Column("pan_ciphertext", sa.LargeBinary(64), nullable=False),
        sa.Column("bin6", sa.String(6), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("expiry_yymm", sa.String(4), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("status", _enum("card_status", "active", "opposed", "cancelled"), nullable=False),
        sa.Column("opposition_reason", _enum("opposition", "lost_stolen", "fraud"), nullable=True),
        sa.Column("used_at_terminal", sa.Boolean(), nullable=False),
        sa.Column("low_value_count", sa.Integer(), nullable=False),
        sa.Column("low_value_cumulative_minor", sa.BigInteger(), nullable=False),
        _ts("last_sca_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cards_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("pan_hmac", name=op.f("uq_cards_pan_hmac")),
    )
    op.create_index(op.f("ix_cards_customer_id"), "cards", ["customer_id"])


def _transactions() -> None:
    op.create_table(
        "transactions",
        sa.Column("acs_trans_id", sa.String(36), nullable=False),
        sa.Column("three_ds_server_trans_id", sa.String(36), nullable=False),
        sa.Column("ds_trans_id", sa.String(36), nullable=True),
        sa.Column("sdk_trans_id", sa.String(36), nullable=True),
        sa.Column("message_version", sa.String(8), nullable=False),
        sa.Column("device_channel", sa.String(2), nullable=False),
        sa.Column("message_category", sa.String(2), nullable=False),
        sa.Column("card_id", BIG_ID, nullable=True),
        sa.Column("customer_id", sa.String(32), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("exponent", sa.SmallInteger(), nullable=True),
        sa.Column("merchant_name", sa.String(64), nullable=True),
        sa.Column("trans_status", sa.String(1), nullable=True),
        sa.Column("trans_status_reason", sa.String(2), nullable=True),
        sa.Column("exemption", sa.String(2), nullable=True),
        sa.Column("eci", sa.String(2), nullable=True),
        sa.Column("authentication_value", sa.String(64), nullable=True),
        sa.Column("challenge_method", sa.String(16), nullable=True),
        sa.Column("challenge_mandated", sa.Boolean(), nullable=False),
        sa.Column("risk_rules", sa.JSON(), nullable=False),
        sa.Column("notification_url", sa.Text(), nullable=True),
        sa.Column("ds_url", sa.Text(), nullable=True),
        sa.Column("ds_reference_number", sa.String(32), nullable=True),
        sa.Column("three_ds_requestor_id", sa.String(35), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_transactions_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_transactions_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("acs_trans_id", name=op.f("pk_transactions")),
    )
    op.create_index("ix_transactions_card_id_created_at", "transactions", ["card_id", "created_at"])
    op.create_index("ix_transactions_created_at", "transactions", ["created_at"])
    op.create_index(
        op.f("ix_transactions_three_ds_server_trans_id"),
        "transactions",
        ["three_ds_server_trans_id"],
    )


def downgrade() -> None:
    op.drop_table("transactions")
    op.drop_table("cards")
    op.drop_table("customers")
    op.drop_table("card_ranges")
    op.drop_table("audit_events")
