"""Readiness: what an operator's probe asks before sending traffic to this process; and what
counts as a database outage (for the workers' logs)."""

from __future__ import annotations

from acs.storage.engine import Engine, is_outage, ping

__all__ = ["READY_TIMEOUT_SECONDS", "database_ready", "is_outage"]

# A probe must get its answer quickly even when the database accepts TCP and never answers.
READY_TIMEOUT_SECONDS = 1.5


async def database_ready(engine: Engine, *, timeout: float = READY_TIMEOUT_SECONDS) -> bool:
    """True when the database answers within ``timeout`` seconds (the ACS can do nothing
    without it)."""
    return await ping(engine, timeout=timeout)
