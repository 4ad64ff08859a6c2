"""Challenges, results outbox and attempts, 3DS Method data, known browsers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "method_data",
        sa.Column("three_ds_server_trans_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("device", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("three_ds_server_trans_id", name=op.f("pk_method_data")),
    )
    with op.batch_alter_table("method_data", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_method_data_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "known_browsers",
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_known_browsers_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "fingerprint", name=op.f("pk_known_browsers")),
    )
    op.create_table(
        "challenges",
        sa.Column("acs_trans_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creq_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creq_digest", sa.String(length=64), nullable=True),
        sa.Column("session_data", sa.String(length=1024), nullable=True),
        sa.Column("window_size", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("operation_id", sa.String(length=40), nullable=True),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("otp_hmac", sa.LargeBinary(length=32), nullable=True),
        sa.Column("otp_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False),
        sa.Column("otp_sends", sa.Integer(), nullable=False),
        sa.Column("cek_sealed", sa.LargeBinary(length=64), nullable=True),
        sa.Column("enc", sa.String(length=16), nullable=True),
        sa.Column("sdk_counter", sa.Integer(), nullable=False),
        sa.Column("acs_counter", sa.Integer(), nullable=False),
        sa.Column("interaction_counter", sa.Integer(), nullable=False),
        sa.Column("browser_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("result_status", sa.String(length=1), nullable=True),
        sa.Column("result_reason", sa.String(length=2), nullable=True),
        sa.Column("challenge_cancel", sa.String(length=2), nullable=True),
        sa.Column("decided_by", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acs_trans_id"],
            ["transactions.acs_trans_id"],
            name=op.f("fk_challenges_acs_trans_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("acs_trans_id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_operation_id", ["operation_id"], unique=False)
        batch_op.create_index(
            "ix_challenges_state_expires_at", ["state", "expires_at"], unique=False
        )

    op.create_table(
        "results_outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("acs_trans_id", sa.String(length=36), nullable=False),
        sa.Column("ds_url", sa.Text(), nullable=False),
        sa.Column("rreq", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results_status", sa.String(length=2), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acs_trans_id"],
            ["transactions.acs_trans_id"],
            name=op.f("fk_results_outbox_acs_trans_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_outbox")),
        sa.UniqueConstraint("acs_trans_id", name=op.f("uq_results_outbox_acs_trans_id")),
    )
    with op.batch_alter_table("results_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_results_outbox_state_next_attempt_at", ["state", "next_attempt_at"], unique=False
        )

    op.create_table(
        "results_attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("outbox_id", BIG_ID, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["results_outbox.id"],
            name=op.f("fk_results_attempts_outbox_id_results_outbox"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_attempts")),
        sa.UniqueConstraint(
            "outbox_id", "attempt", name=op.f("uq_results_attempts_outbox_id_attempt")
        ),
    )


def downgrade() -> None:
    op.drop_table("results_attempts")
    with op.batch_alter_table("results_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_results_outbox_state_next_attempt_at")

    op.drop_table("results_outbox")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_challenges_state_expires_at")
        batch_op.drop_index("ix_challenges_operation_id")

    op.drop_table("challenges")
    op.drop_table("known_browsers")
    with op.batch_alter_table("method_data", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_method_data_expires_at"))

    op.drop_table("method_data")
