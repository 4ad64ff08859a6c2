"""The dashboard's figures per day (Paris days): AReqs by answer, the frictionless rate,
challenges by method and outcome, refusals and fraud declarations, the challenges' time to a
decision (p50, p99).

Counted in the process from the rows of the window (14 days by default): enough for the
back office of one bank's ACS; a daily roll-up table is the next step at a larger scale. The
AReq's own processing latency is a Prometheus histogram (``/metrics``), not a stored fact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from acs.flows.backoffice.french import PARIS
from acs.storage import backoffice_queries as reads
from acs.storage.engine import Sessions

__all__ = ["DayStats", "daily", "percentile"]


@dataclass
class DayStats:
    day: date
    answers: Counter[str] = field(default_factory=Counter)  # Y, N, …, C, D as answered
    challenges: Counter[str] = field(default_factory=Counter)  # "method result"
    refusals: int = 0  # N or R, whether at AReq time or after a challenge
    declarations: int = 0
    decision_seconds: list[float] = field(default_factory=list)

    @property
    def areqs(self) -> int:
        return sum(self.answers.values())

    @property
    def frictionless_rate(self) -> float:
        challenged = self.answers["C"] + self.answers["D"]
        return 0.0 if not self.areqs else 100.0 * (self.areqs - challenged) / self.areqs

    @property
    def p50(self) -> float | None:
        return percentile(self.decision_seconds, 50)

    @property
    def p99(self) -> float | None:
        return percentile(self.decision_seconds, 99)


def percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


async def daily(sessions: Sessions, *, now: datetime, days: int = 14) -> list[DayStats]:
    today = now.astimezone(PARIS).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), tzinfo=PARIS)
    until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=PARIS)
    stats = {first + timedelta(days=i): DayStats(first + timedelta(days=i)) for i in range(days)}

    def of(at: datetime) -> DayStats:
        return stats[at.astimezone(PARIS).date()]

    async with sessions() as session:
        areqs = await reads.areqs_between(session, since, until)
        challenges = await reads.challenges_between(session, since, until)
        declared = await reads.declarations_between(session, since, until)
    for at, status, method in areqs:
        day = of(at)
        answer = ("D" if method == "decoupled" else "C") if method else (status or "?")
        day.answers[answer] += 1
        day.refusals += status in ("N", "R")
    for at, method, result, decided_at in challenges:
        day = of(at)
        day.challenges[f"{method} {result or 'en cours'}"] += 1
        if decided_at is not None:
            day.decision_seconds.append((decided_at - at).total_seconds())
    for at in declared:
        of(at).declarations += 1
    return list(stats.values())
