"""Audit events of Sécur'Pass are append-only and the chain survives concurrent writers."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from acs.storage.audit import append_audit, verify_chain
from acs.storage.models import AuditEvent


@pytest.mark.parametrize("subjects", [1, 20], ids=["one-subject", "twenty-subjects"])
async def test_concurrent_appends_all_land_and_the_chain_holds(sessions, clock, subjects):
    """Twenty units of work append at once (each holding its transaction open a moment): about
    one subject, the losers of a race for its chain's tip retry inside a SAVEPOINT; about
    twenty, no one waits. Every event lands and every chain verifies."""

    async def unit(i: int) -> None:
        async with sessions.begin() as session:
            await append_audit(
                session,
                at=clock.now(),
                actor=f"device:{i}",
                action="securpass.operation_approved",
                subject=f"customer:C{i % subjects:04d}",
                detail={"n": i},
            )
            await asyncio.sleep(0.01)

    await asyncio.gather(*(unit(i) for i in range(20)))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 20
        assert await verify_chain(session) is None
