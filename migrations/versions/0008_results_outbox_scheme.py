"""The card scheme of each RReq in the results outbox: it picks the client certificate.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: the rows written before it have no scheme and go without a client certificate.
    op.add_column("results_outbox", sa.Column("scheme", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results_outbox") as batch:
        batch.drop_column("scheme")
