"""Time as an argument: every expiry, window and lockout reads ``clock.now()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FrozenClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock for tests: it moves only when told to."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)
