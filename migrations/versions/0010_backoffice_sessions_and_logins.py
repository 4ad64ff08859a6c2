"""The back office's browser login: ``backoffice_sessions`` and ``backoffice_logins``.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
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
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_backoffice_logins")),
    )
    op.create_index(op.f("ix_backoffice_logins_expires_at"), "backoffice_logins", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_backoffice_logins_expires_at"), table_name="backoffice_logins")
    op.drop_table("backoffice_logins")
    op.drop_index(op.f("ix_backoffice_sessions_expires_at"), table_name="backoffice_sessions")
    op.drop_index(op.f("ix_backoffice_sessions_staff_id"), table_name="backoffice_sessions")
    op.drop_table("backoffice_sessions")
