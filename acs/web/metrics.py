"""``/metrics``: the counters of every process of this ``acs serve`` (:mod:`acs.metrics`) and
gauges read from the database at scrape time.

:func:`multiprocess_dir` is the supervisor's: a private folder (or the operator's own
``PROMETHEUS_MULTIPROC_DIR``, emptied at start) exported to the children before they start, so
each writes its counters there and any HTTP worker's ``/metrics`` adds them up. The counters of
a process that died stay counted (a counter never goes down). The gauges (outbox, open
challenges) are database state, the same whichever worker answers, so they are read per scrape
rather than kept by a process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily

from acs import metrics
from acs.flows.health import OpsGauges

__all__ = ["Metrics", "multiprocess_dir", "process_gone", "render"]


class Metrics:
    """What the web layer counts (kept as an object on the app: handlers count through it)."""

    def observe(self, message_type: str, outcome: str, seconds: float) -> None:
        metrics.REQUESTS.labels(message_type, outcome).inc()
        metrics.REQUEST_SECONDS.labels(message_type).observe(seconds)

    def count_result(self, outcome: str) -> None:
        """One more RReq event of this kind (``given_up``: marked failed; ``resent``: sent
        again after an attempt with no recorded outcome)."""
        metrics.RESULTS.labels(outcome).inc()


def render(gauges: OpsGauges | None) -> bytes:
    """The Prometheus text: every process's counters, then the database gauges (none when the
    database did not answer: ``acs_database_up 0``)."""
    registry = CollectorRegistry()
    if metrics.multiprocess():
        prometheus_multiprocess.MultiProcessCollector(registry)
        counters = generate_latest(registry)
    else:
        counters = generate_latest(metrics.REGISTRY)
    state = CollectorRegistry()
    state.register(_Gauges(gauges))
    return counters + generate_latest(state)


class _Gauges:
    def __init__(self, gauges: OpsGauges | None) -> None:
        self._gauges = gauges

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("acs_database_up", "The database answered this scrape's reads.")
        up.add_metric([], 0 if self._gauges is None else 1)
        yield up
        if self._gauges is None:
            return
        g = self._gauges
        rows = GaugeMetricFamily(
            "acs_outbox_rows", "RReqs in the outbox by state.", labels=["state"]
        )
        rows.add_metric(["pending"], g.outbox_pending)
        rows.add_metric(["failed"], g.outbox_failed)
        yield rows
        yield GaugeMetricFamily(
            "acs_outbox_oldest_pending_seconds", "Age of the oldest RReq not yet delivered.",
            value=g.oldest_pending_seconds,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "acs_outbox_pending_attempts_max", "Most attempts made for one pending RReq.",
            value=g.pending_attempts_max,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "acs_challenges_open", "Challenges not decided yet.", value=g.open_challenges
        )


@contextlib.contextmanager
def multiprocess_dir() -> Iterator[str]:
    """The supervisor's metrics folder, exported as ``PROMETHEUS_MULTIPROC_DIR`` for the
    children it starts; a private folder removed at the end unless the operator chose one."""
    chosen = os.environ.get(metrics.MULTIPROC_ENV)
    folder = chosen or tempfile.mkdtemp(prefix="acs-metrics-")  # 0700
    if chosen:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for name in os.listdir(folder):  # an earlier run's counts: prometheus-client's advice
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))
    os.environ[metrics.MULTIPROC_ENV] = folder
    try:
        yield folder
    finally:
        if not chosen:
            os.environ.pop(metrics.MULTIPROC_ENV, None)
            shutil.rmtree(folder, ignore_errors=True)


def process_gone(pid: int) -> None:
    """A child ended: drop its live gauges (its counters stay counted)."""
    if metrics.multiprocess():
        prometheus_multiprocess.mark_process_dead(pid)
