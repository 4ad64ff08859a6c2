"""The back office: its browser login (``backoffice_sessions``, ``backoffice_logins``) and the
fraud desk (declarations made by an advisor, and their qualification); the fraud-rate
monitor's state of each TRA band (``tra_band_states``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "backoffice_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_seen_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_backoffice_sessions")),
    )
    op.create_index(op.f("ix_backoffice_sessions_staff_id"), "backoffice_sessions", ["staff_id"])
    op.create_index(
        op.f("ix_backoffice_sessions_expires_at"), "backoffice_sessions", ["expires_at"]
    )
    op.create_table(
        "backoffice_logins",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("redirect_uri", sa.String(length=512), nullable=False),
        sa.Column("next_path", sa.String(length=256), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_backoffice_logins")),
    )
    op.create_index(op.f("ix_backoffice_logins_expires_at"), "backoffice_logins", ["expires_at"])
    with op.batch_alter_table("securpass_fraud_declarations") as batch:
        # An advisor's declaration after a call or an e-mail has no operation behind it.
        batch.alter_column("operation_id", existing_type=sa.String(length=40), nullable=True)
        batch.add_column(sa.Column("acs_trans_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("declared_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("qualification", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("qualified_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("qualified_at", _TIME, nullable=True))
        batch.add_column(sa.Column("qualification_note", sa.Text(), nullable=True))
        batch.create_index(op.f("ix_securpass_fraud_declarations_acs_trans_id"), ["acs_trans_id"])
    op.create_table(
        "tra_band_states",
        sa.Column("limit_minor", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("rate_bps", sa.Float(), nullable=False),
        sa.Column("fraud_minor", sa.BigInteger(), nullable=False),
        sa.Column("volume_minor", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", _TIME, nullable=False),
        sa.Column("computed_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("limit_minor", name=op.f("pk_tra_band_states")),
    )


def downgrade() -> None:
    op.drop_table("tra_band_states")
    with op.batch_alter_table("securpass_fraud_declarations") as batch:
        batch.drop_index(op.f("ix_securpass_fraud_declarations_acs_trans_id"))
        for column in ("qualification_note", "qualified_at", "qualified_by", "qualification",
                       "declared_by", "notes", "channel", "acs_trans_id"):  # fmt: skip
            batch.drop_column(column)
    op.execute("DELETE FROM securpass_fraud_declarations WHERE operation_id IS NULL")
    with op.batch_alter_table("securpass_fraud_declarations") as batch:
        batch.alter_column("operation_id", existing_type=sa.String(length=40), nullable=False)
    op.drop_index(op.f("ix_backoffice_logins_expires_at"), table_name="backoffice_logins")
    op.drop_table("backoffice_logins")
    op.drop_index(op.f("ix_backoffice_sessions_expires_at"), table_name="backoffice_sessions")
    op.drop_index(op.f("ix_backoffice_sessions_staff_id"), table_name="backoffice_sessions")
    op.drop_table("backoffice_sessions")
