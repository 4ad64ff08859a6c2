"""Readiness: what an operator's probe asks before sending traffic to this process; and what
counts as a database outage (for the workers' logs)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from acs.storage import stats
from acs.storage.engine import (
    DbTimeouts,
    Engine,
    Sessions,
    is_outage,
    make_engine,
    ping,
    run_select_one,
    safe_url,
)

__all__ = [
    "READY_TIMEOUT_SECONDS",
    "DatabaseUnreachable",
    "OpsGauges",
    "check_database",
    "database_ready",
    "is_outage",
    "read_gauges",
]

# A probe must get its answer quickly even when the database accepts TCP and never answers.
READY_TIMEOUT_SECONDS = 1.5


async def database_ready(engine: Engine, *, timeout: float = READY_TIMEOUT_SECONDS) -> bool:
    """True when the database answers within ``timeout`` seconds (the ACS can do nothing
    without it)."""
    return await ping(engine, timeout=timeout)


class DatabaseUnreachable(Exception):
    """The database did not answer at start: ``url`` (password masked) and ``reason``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"database unreachable at {url}: {reason}")
        self.url, self.reason = url, reason


async def check_database(url: str, *, timeout: float) -> None:
    """Raise :class:`DatabaseUnreachable` unless ``url`` answers ``SELECT 1`` within
    ``timeout`` seconds (a bad URL, a refused connection, a wrong password, a black hole)."""
    try:
        engine = make_engine(url, timeouts=DbTimeouts(connect=timeout, statement=timeout))
    except Exception as exc:  # an unknown backend or driver: named, never a traceback
        raise DatabaseUnreachable(_masked(url), _reason(exc)) from None
    try:
        async with asyncio.timeout(timeout * 2):
            await run_select_one(engine)
    except Exception as exc:
        raise DatabaseUnreachable(safe_url(url), _reason(exc)) from None
    finally:
        await engine.dispose()


def _masked(url: str) -> str:
    try:
        return safe_url(url)
    except Exception:  # not even a URL: show the scheme only
        return url.split(":", 1)[0] + ":…"


def _reason(exc: BaseException) -> str:
    """The error's class and first line, without SQLAlchemy's background link."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    if isinstance(exc, TimeoutError) and not text:
        text = "no answer in time"
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


@dataclass(frozen=True)
class OpsGauges:
    """What ``/metrics`` reads from the database at each scrape."""

    outbox_pending: int
    outbox_failed: int
    oldest_pending_seconds: float
    pending_attempts_max: int
    open_challenges: int


async def read_gauges(
    sessions: Sessions, *, now: datetime, timeout: float = READY_TIMEOUT_SECONDS
) -> OpsGauges | None:
    """The outbox and challenge gauges, or None when the database does not answer in time."""
    try:
        async with asyncio.timeout(timeout), sessions() as session:
            outbox = await stats.outbox_counts(session)
            challenges = await stats.open_challenges(session)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return None
    oldest = outbox.oldest_pending
    return OpsGauges(
        outbox_pending=outbox.pending,
        outbox_failed=outbox.failed,
        oldest_pending_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        pending_attempts_max=outbox.pending_attempts_max,
        open_challenges=challenges,
    )
