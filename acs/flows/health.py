"""Readiness: what an operator's probe asks before sending traffic to this process."""

from __future__ import annotations

from acs.storage.engine import Engine, ping

__all__ = ["database_ready"]


async def database_ready(engine: Engine) -> bool:
    """True when the database answers (the ACS can do nothing without it)."""
    return await ping(engine)
