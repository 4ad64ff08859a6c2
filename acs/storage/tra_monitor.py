"""What the fraud-rate monitor reads and keeps (RTS Art. 18-20): per ETV band, the value of the
payments exempted by the issuer's TRA, and of those among them qualified as confirmed fraud,
over a window; and each band's state (:class:`~acs.storage.backoffice_models.TraBandRow`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.backoffice_models import TraBandRow
from acs.storage.backoffice_queries import decided_by
from acs.storage.models import Transaction
from acs.storage.securpass_models import FraudDeclarationRow

__all__ = ["band_states", "exempted_values", "save_band"]

ISSUER_TRA = ("issuer_tra",)


async def exempted_values(
    session: AsyncSession, *, since: datetime, currency: str, limits: Sequence[int],
    confirmed_fraud: bool,
) -> list[int]:  # fmt: skip
    """Per band (``limits`` ascending), the summed amount of the payments exempted by the
    issuer's TRA since ``since``; with ``confirmed_fraud``, only those qualified as fraud."""
    amount, lows = Transaction.amount_minor, [0, *limits[:-1]]
    sums = [
        func.coalesce(func.sum(case((and_(amount > low, amount <= high), amount), else_=0)), 0)
        for low, high in zip(lows, limits, strict=True)
    ]
    statement = select(*sums).where(
        decided_by(ISSUER_TRA), Transaction.created_at >= since, Transaction.currency == currency
    )
    if confirmed_fraud:
        frauds = select(FraudDeclarationRow.acs_trans_id).where(
            FraudDeclarationRow.qualification == "confirmed_fraud"
        )
        statement = statement.where(Transaction.acs_trans_id.in_(frauds))
    row = (await session.execute(statement)).one()
    return [int(value or 0) for value in row]


async def band_states(session: AsyncSession) -> dict[int, TraBandRow]:
    rows = await session.scalars(select(TraBandRow))
    return {row.limit_minor: row for row in rows}


async def save_band(
    session: AsyncSession, *, limit_minor: int, open: bool, rate_bps: float, fraud_minor: int,
    volume_minor: int, now: datetime, known: TraBandRow | None,
) -> bool:  # fmt: skip
    """Store the band's figures; True when this call changed whether it is open (only one
    process wins a change: the UPDATE is conditional on the state it read)."""
    figures = {"rate_bps": rate_bps, "fraud_minor": fraud_minor, "volume_minor": volume_minor,
               "computed_at": now}  # fmt: skip
    if known is None:
        session.add(TraBandRow(limit_minor=limit_minor, open=open, changed_at=now, **figures))
        await session.flush()
        return not open  # a new band that starts closed is a change worth telling
    if known.open == open:
        await session.execute(
            update(TraBandRow).where(TraBandRow.limit_minor == limit_minor).values(**figures)
        )
        return False
    statement = (
        update(TraBandRow)
        .where(TraBandRow.limit_minor == limit_minor, TraBandRow.open == known.open)
        .values(open=open, changed_at=now, **figures)
    )
    return bool(await execute_counted(session, statement))
