"""A small Prometheus text-format registry: request counters, a latency histogram and the
results sender's counters (``acs_results_total{outcome=…}``: ``given_up``, ``resent``).

Hand-written (70 lines) rather than a dependency: the ACS exposes three families and needs no
multiprocess aggregation beyond what each worker serves on its own ``/metrics``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

__all__ = ["Metrics"]

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._requests: dict[tuple[str, str], int] = defaultdict(int)
        self._buckets: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._sums: dict[str, float] = defaultdict(float)
        self._results: dict[str, int] = defaultdict(int)

    def count_result(self, outcome: str) -> None:
        """One more RReq event of this kind (``given_up``: marked failed; ``resent``: sent
        again after an attempt with no recorded outcome)."""
        self._results[outcome] += 1

    def observe(self, message_type: str, outcome: str, seconds: float) -> None:
        self._requests[message_type, outcome] += 1
        self._buckets[message_type][bisect.bisect_left(BUCKETS, seconds)] += 1
        self._sums[message_type] += seconds

    def render(self) -> str:
        lines = [
            "# HELP acs_requests_total Requests by message type and outcome.",
            "# TYPE acs_requests_total counter",
        ]
        for (kind, outcome), count in sorted(self._requests.items()):
            lines.append(f'acs_requests_total{{message_type="{kind}",outcome="{outcome}"}} {count}')
        lines += [
            "# HELP acs_request_duration_seconds Time to answer, by message type.",
            "# TYPE acs_request_duration_seconds histogram",
        ]
        for kind, counts in sorted(self._buckets.items()):
            lines += self._histogram(kind, counts)
        lines += [
            "# HELP acs_results_total RReq deliveries given up or re-sent after a crash.",
            "# TYPE acs_results_total counter",
        ]
        for outcome, count in sorted(self._results.items()):
            lines.append(f'acs_results_total{{outcome="{outcome}"}} {count}')
        return "\n".join(lines) + "\n"

    def _histogram(self, kind: str, counts: list[int]) -> list[str]:
        name, label = "acs_request_duration_seconds", f'message_type="{kind}"'
        lines, running = [], 0
        for bound, count in zip((*BUCKETS, "+Inf"), counts, strict=True):
            running += count
            lines.append(f'{name}_bucket{{{label},le="{bound}"}} {running}')
        lines.append(f"{name}_sum{{{label}}} {self._sums[kind]:.6f}")
        lines.append(f"{name}_count{{{label}}} {running}")
        return lines
