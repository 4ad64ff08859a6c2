"""Housekeeping of the challenge worker: rows that only grow their tables once expired."""

from __future__ import annotations

from datetime import datetime

from acs.flows.address_limit import WINDOW as ADDRESS_WINDOW
from acs.storage import address_hits, backoffice, method_data, securpass, tokens
from acs.storage.engine import Sessions

__all__ = ["purge_expired"]


async def purge_expired(sessions: Sessions, *, now: datetime) -> None:
    """3DS Method data past its lifetime, used signed-call nonces past their window, used
    identity tokens past their expiry, client-address hits older than their window;
    back-office logins never called back and sessions ended or past their absolute end."""
    async with sessions.begin() as session:
        await method_data.purge(session, now)
        # The timestamp check refuses those calls by itself, so the nonce rows only grow the
        # table (not done per call: the hot path of every approval).
        await securpass.delete_expired_nonces(session, now=now)
        # Likewise the exp check refuses an expired token before its jti is looked at.
        await tokens.delete_expired_tokens(session, now=now)
        await address_hits.delete_hits_before(session, now - ADDRESS_WINDOW)
        await backoffice.purge(session, now=now)
