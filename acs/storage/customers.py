"""Customers: read one, upsert many (by the bank's ``customer_id``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from acs.csv_columns import CUSTOMER_COLUMNS
from acs.domain import CustomerKind
from acs.storage._upsert import existing_keys, upsert_rows
from acs.storage.models import Customer

__all__ = ["CustomerRecord", "UpsertCounts", "get", "known_ids", "upsert_many"]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer as imported; becomes a ``customers`` row."""

    id: str
    kind: CustomerKind
    full_name: str
    remote_banking: bool
    secure_mobile: str | None
    personal_email: str | None
    email_recorded_at: datetime | None
    has_app: bool

    def to_row(self, now: datetime) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in self.__slots__}
        row["kind"] = self.kind.value
        return {**row, "created_at": now, "updated_at": now}


@dataclass(frozen=True)
class UpsertCounts:
    """How many rows were new and how many already existed (changed or not)."""

    inserted: int = 0
    updated: int = 0


# Every imported column but the key, which never changes.
_UPDATED = (*(c for c in CUSTOMER_COLUMNS if c != "customer_id"), "updated_at")


async def get(session: AsyncSession, customer_id: str) -> Customer | None:
    """The customer with this id, or ``None``."""
    return await session.get(Customer, customer_id)


async def known_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    """The subset of ``ids`` that are customers."""
    return await existing_keys(session, Customer.__table__.c.id, ids)


async def upsert_many(
    session: AsyncSession, records: Sequence[CustomerRecord], *, now: datetime
) -> UpsertCounts:
    """Insert or update customers by id; the last record wins for a repeated id."""
    unique = list({r.id: r for r in records}.values())
    present = await known_ids(session, [r.id for r in unique])
    rows = [r.to_row(now) for r in unique]
    await upsert_rows(session, Customer.__table__, rows, key="id", columns=_UPDATED)
    return UpsertCounts(inserted=len(unique) - len(present), updated=len(present))
