"""Counts an operator's scrape reads (``/metrics``): the outbox by state, open challenges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.challenge_models import ChallengeRow, OutboxRow

__all__ = ["OutboxCounts", "open_challenges", "outbox_counts"]


@dataclass(frozen=True)
class OutboxCounts:
    pending: int = 0
    failed: int = 0
    oldest_pending: datetime | None = None
    pending_attempts_max: int = 0


async def outbox_counts(session: AsyncSession) -> OutboxCounts:
    """Pending and failed rows, the oldest pending one's creation, its most attempts."""
    statement = (
        sa.select(
            OutboxRow.state,
            sa.func.count(),
            sa.func.min(OutboxRow.created_at),
            sa.func.max(OutboxRow.attempts),
        )
        .where(OutboxRow.state.in_(("pending", "failed")))
        .group_by(OutboxRow.state)
    )
    found = {row[0]: row for row in (await session.execute(statement)).all()}
    pending, failed = found.get("pending"), found.get("failed")
    return OutboxCounts(
        pending=pending[1] if pending else 0,
        failed=failed[1] if failed else 0,
        oldest_pending=pending[2] if pending else None,
        pending_attempts_max=(pending[3] or 0) if pending else 0,
    )


async def open_challenges(session: AsyncSession) -> int:
    """Challenges waiting for a CReq or a decision."""
    statement = sa.select(sa.func.count()).where(ChallengeRow.state != "decided")
    return int((await session.execute(statement)).scalar_one())
