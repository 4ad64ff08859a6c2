"""The ``card_ranges`` table mirrors the ranges served in the config."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.config import CardRange
from acs.storage.models import CardRangeRow

__all__ = ["sync_card_ranges"]


async def sync_card_ranges(session: AsyncSession, ranges: Iterable[CardRange]) -> None:
    """Make the table equal to ``ranges``: update kept rows, add new ones, delete the rest."""
    wanted = {(r.start, r.end): r for r in ranges}
    rows = (await session.scalars(select(CardRangeRow))).all()
    stale = [row.id for row in rows if (row.start, row.end) not in wanted]
    if stale:
        await session.execute(delete(CardRangeRow).where(CardRangeRow.id.in_(stale)))
    existing = {(row.start, row.end): row for row in rows}
    for key, card_range in wanted.items():
        row = existing.get(key) or CardRangeRow(start=card_range.start, end=card_range.end)
        row.scheme, row.method_url = str(card_range.scheme), card_range.method_url
        session.add(row)
    await session.flush()
