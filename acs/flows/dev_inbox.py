"""Development only: whose SMS inbox the dev page links (customers with a secure mobile)."""

from __future__ import annotations

from dataclasses import dataclass

from acs.storage import customers
from acs.storage.engine import Sessions

__all__ = ["InboxOwner", "inbox_owners"]


@dataclass(frozen=True)
class InboxOwner:
    customer_id: str
    name: str
    mobile: str


async def inbox_owners(sessions: Sessions) -> list[InboxOwner]:
    """The customers with a secure mobile number, by id (at most 50)."""
    async with sessions() as session:
        found = await customers.with_secure_mobile(session)
    return [InboxOwner(c.id, c.full_name, c.secure_mobile or "") for c in found if c.secure_mobile]
