"""Audit events of Sécur'Pass are append-only and the chain survives concurrent writers."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from acs.storage.audit import append_audit, verify_chain
from acs.storage.models import AuditEvent


async def test_concurrent_appends_all_land_and_the_chain_holds(sessions, clock):
    """Twenty units of work append at once (each holding its transaction open a moment): the
    losers of a race retry inside a SAVEPOINT; every event lands and the chain verifies."""

    async def unit(i: int) -> None:
        async with sessions.begin() as session:
            await append_audit(
                session,
                at=clock.now(),
                actor=f"device:{i}",
                action="securpass.operation_approved",
                subject=f"customer:C{i:04d}",
                detail={"n": i},
            )
            await asyncio.sleep(0.01)

    await asyncio.gather(*(unit(i) for i in range(20)))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 20
        assert await verify_chain(session) is None
