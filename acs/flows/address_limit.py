"""Calls per client address (enrolment starts and activations): at most N in any hour.

The per-customer limits (activation codes, operations) do not stop one machine that holds many
customers' logins from starting enrolments for all of them, or from trying activation codes
against many enrolments; this one does. The address is counted by its HMAC, never stored in
clear. The check runs before the identity token is looked at, so a refused call spends nothing
(the token stays usable from a legitimate address). Two calls at the very limit may both pass:
the count is a bound for abuse, not an exact quota.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from acs.flows.securpass.errors import TooManyRequests
from acs.storage import address_hits
from acs.storage.engine import Sessions

__all__ = ["WINDOW", "AddressLimit", "address_hash", "admit_address"]

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class AddressLimit:
    """``calls`` per client address in any :data:`WINDOW`, counted under ``key``."""

    calls: int
    key: bytes


def address_hash(key: bytes, address: str) -> str:
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


async def admit_address(
    sessions: Sessions, limit: AddressLimit, address: str, *, now: datetime
) -> None:
    """Count this call from ``address``; :class:`TooManyRequests` (429) when the address has
    made ``limit.calls`` already in the last hour (the refused call is not counted, so a
    patient client gets back in once its oldest call leaves the window)."""
    digest = address_hash(limit.key, address)
    async with sessions.begin() as session:
        count, oldest = await address_hits.hits_since(session, digest, now - WINDOW)
        if count >= limit.calls:
            wait = (oldest + WINDOW - now).total_seconds() if oldest else WINDOW.total_seconds()
            raise TooManyRequests(
                "too_many_requests_from_address",
                "Trop de demandes depuis cette adresse : réessayez plus tard.",
                retry_after=max(1, math.ceil(wait)),
            )
        await address_hits.record_hit(session, digest, now)
