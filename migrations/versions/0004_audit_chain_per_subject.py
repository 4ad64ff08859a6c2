"""One audit chain per subject, so that writers about different customers never queue.

Events written before this revision keep their single global chain (``chain`` = ``""``) and
verify as before; new events chain within their subject.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain", sa.String(length=128), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_audit_events_prev_hash", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_events_chain_prev_hash"), ["chain", "prev_hash"]
        )
        batch_op.create_index("ix_audit_events_chain_id", ["chain", "id"], unique=False)


def downgrade() -> None:
    # Back to one global prev_hash uniqueness: only possible while no two chains exist, which
    # is why a downgrade past this revision refuses a database with per-subject events.
    bind = op.get_bind()
    chains = bind.execute(sa.text("SELECT COUNT(DISTINCT chain) FROM audit_events")).scalar()
    if chains and chains > 1:
        raise RuntimeError("audit events use per-subject chains: cannot downgrade past 0004")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_chain_id")
        batch_op.drop_constraint(batch_op.f("uq_audit_events_chain_prev_hash"), type_="unique")
        batch_op.create_unique_constraint("uq_audit_events_prev_hash", ["prev_hash"])
        batch_op.drop_column("chain")
