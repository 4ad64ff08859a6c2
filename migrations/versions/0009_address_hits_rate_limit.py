"""Enrolment calls counted per client address: ``address_hits`` (HMAC of the address, time).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "address_hits",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_hits")),
    )
    op.create_index("ix_address_hits_address_hash_at", "address_hits", ["address_hash", "at"])
    op.create_index(op.f("ix_address_hits_at"), "address_hits", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_address_hits_at"), table_name="address_hits")
    op.drop_index("ix_address_hits_address_hash_at", table_name="address_hits")
    op.drop_table("address_hits")
