"""Latency statistics: nearest-rank percentiles over a list of milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["percentile", "summarize"]


def percentile(sorted_ms: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile of an ascending list, or None when it is empty."""
    if not sorted_ms:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def summarize(latencies_ms: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max of the latencies, rounded to the microsecond."""
    ordered = sorted(latencies_ms)
    points = {"p50_ms": 50, "p95_ms": 95, "p99_ms": 99, "max_ms": 100}
    return {name: _round(percentile(ordered, p)) for name, p in points.items()}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
