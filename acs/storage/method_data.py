"""3DS Method data (kept 10 minutes by threeDSServerTransID) and the browsers a customer used."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.challenge_models import KnownBrowserRow, MethodDataRow

__all__ = [
    "KNOWN_BROWSER",
    "LIVE_FINGERPRINT",
    "browser_known",
    "get_live",
    "purge",
    "put",
    "remember_browser",
]


async def put(
    session: AsyncSession,
    three_ds_server_trans_id: str,
    *,
    fingerprint: str,
    device: dict[str, Any],
    now: datetime,
    ttl: timedelta,
) -> None:
    """Store (or replace) the data of one 3DS Method run."""
    row = await session.get(MethodDataRow, three_ds_server_trans_id)
    if row is None:
        row = MethodDataRow(three_ds_server_trans_id=three_ds_server_trans_id)
        session.add(row)
    row.fingerprint, row.device = fingerprint, device
    row.created_at, row.expires_at = now, now + ttl
    await session.flush()


# Prebuilt with bound parameters: both run on browser AReqs (the driver AReq stores run them
# on the driver itself, see acs.storage.areq_store).
LIVE_FINGERPRINT = select(MethodDataRow.fingerprint).where(
    MethodDataRow.three_ds_server_trans_id == bindparam("run_id"),
    MethodDataRow.expires_at > bindparam("now", type_=MethodDataRow.expires_at.type),
)
KNOWN_BROWSER = select(KnownBrowserRow.fingerprint).where(
    KnownBrowserRow.customer_id == bindparam("customer_id"),
    KnownBrowserRow.fingerprint == bindparam("fingerprint"),
)


async def get_live(
    session: AsyncSession, three_ds_server_trans_id: str, now: datetime
) -> str | None:
    """The fingerprint of this run if still within its 10 minutes, else ``None``."""
    params = {"run_id": three_ds_server_trans_id, "now": now}
    return await session.scalar(LIVE_FINGERPRINT, params)


async def purge(session: AsyncSession, now: datetime) -> int:
    return await execute_counted(
        session, delete(MethodDataRow).where(MethodDataRow.expires_at <= now)
    )


async def browser_known(session: AsyncSession, customer_id: str, fingerprint: str) -> bool:
    """Whether this customer succeeded before with a browser of this fingerprint."""
    params = {"customer_id": customer_id, "fingerprint": fingerprint}
    return (await session.scalar(KNOWN_BROWSER, params)) is not None


async def remember_browser(
    session: AsyncSession, customer_id: str, fingerprint: str, *, now: datetime
) -> None:
    row = await session.get(KnownBrowserRow, (customer_id, fingerprint))
    if row is None:
        session.add(
            KnownBrowserRow(
                customer_id=customer_id,
                fingerprint=fingerprint,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    else:
        row.last_seen_at = now
    await session.flush()
