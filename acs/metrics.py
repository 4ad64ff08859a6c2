"""The process's Prometheus metrics (prometheus-client), counted where the events happen.

A leaf: the web layer counts requests, the flows count decisions, OTPs, wake-ups and RReq
attempts, and :mod:`acs.web.metrics` serves them. Under ``acs serve`` every process writes its
values to the supervisor's ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess
mode, chosen when the variable is set before this module is imported) and a scrape of any
worker adds them all up; without it (tests, ``acs demo``) the values live in this process.

Families (``_total`` is added to each counter's name):

- ``acs_requests_total{message_type,outcome}`` and ``acs_request_duration_seconds{message_type}``
  — every AReq / CReq answer, outcome the transStatus or ``erro_<code>``;
- ``acs_results_total{outcome}`` — RReqs ``given_up`` or ``resent`` after a crash;
- ``acs_rreq_attempts_total{outcome}`` — every RReq delivery attempt (``rres_01``, ``timeout``,
  ``connect_error``, ``http_503`` …);
- ``acs_decisions_total{status,by}`` — challenge decisions by transStatus (``Y``, ``N``, ``U``)
  and decider (``phone``, ``otp``, ``cancel``, ``timeout``, ``error``, ``limit``);
- ``acs_otps_sent_total`` — SMS one-time codes sent (first and resends);
- ``acs_phone_wakeups_total{via}`` — a phone told of a new operation (``push``, ``stream``).
"""

from __future__ import annotations

import os

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = [
    "BUCKETS",
    "DECISIONS",
    "MULTIPROC_ENV",
    "OTPS_SENT",
    "PHONE_WAKEUPS",
    "REGISTRY",
    "REQUESTS",
    "REQUEST_SECONDS",
    "RESULTS",
    "RREQ_ATTEMPTS",
    "multiprocess",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

prometheus_client.disable_created_metrics()  # no *_created series: multiprocess mode has none
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "acs_requests", "Requests by message type and outcome.", ["message_type", "outcome"],
    registry=REGISTRY,
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    "acs_request_duration_seconds", "Time to answer, by message type.", ["message_type"],
    buckets=BUCKETS, registry=REGISTRY,
)  # fmt: skip
RESULTS = Counter(
    "acs_results", "RReq deliveries given up or re-sent after a crash.", ["outcome"],
    registry=REGISTRY,
)  # fmt: skip
RREQ_ATTEMPTS = Counter(
    "acs_rreq_attempts", "RReq delivery attempts by outcome.", ["outcome"], registry=REGISTRY
)
DECISIONS = Counter(
    "acs_decisions", "Challenge decisions by transStatus and decider.", ["status", "by"],
    registry=REGISTRY,
)  # fmt: skip
OTPS_SENT = Counter("acs_otps_sent", "SMS one-time codes sent.", registry=REGISTRY)
PHONE_WAKEUPS = Counter(
    "acs_phone_wakeups", "Phones told of a new operation.", ["via"], registry=REGISTRY
)


def multiprocess() -> bool:
    """Whether this process counts into a shared multiprocess directory."""
    return bool(os.environ.get(MULTIPROC_ENV))
