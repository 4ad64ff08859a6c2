"""One ACS under test from empty to measured: import, data-growth probes, saturation, rates.

The steps, in order, for a database URL:

1. import the first ``min(cards, 10 000)`` customers and cards (timed), start ``acs serve``,
   warm it up for a few seconds (not recorded);
2. top transactions up to 10 000 (SQL bulk load), probe latency at ``probe_rate`` (P1);
3. import the remaining cards (timed: the import-speed figure), probe again (P2);
4. top transactions up to ``tx_large`` (100 000; 5 000 000 with ``--big``), probe again (P3);
5. saturation with frictionless AReqs only, then with the full mix;
6. open-loop fixed rates: the absolute ones plus fractions of the full-mix saturation;
7. the challenge path (``challenge.py``) when ``challenge_k`` > 0, once the steps' unanswered
   challenges have timed out and their RReqs are delivered (``drain_seconds``): K customers
   eligible for Sécur'Pass imported, K phones enrolled, ``challenge_rounds`` rounds of K
   approvals per method (code, biometrics) and arrival (all at once, at random).

P1/P2/P3 share one low rate, so their latencies compare data size alone. Every data load is
followed by ``ANALYZE`` (and on SQLite a WAL checkpoint), as an operator would after a bulk
load, and every probe by a short warm-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.challenge import run_challenge
from benchmarks.drive import LoadFiles, fixed_rate, saturation
from benchmarks.importer import import_range
from benchmarks.servers import Server, start_acs
from benchmarks.txload import (
    analyze,
    count_transactions,
    pending_challenge_work,
    top_up_transactions,
)

__all__ = ["Plan", "Target", "acs_scenario", "offered_rates", "run_steps", "workers_scenario"]

SMALL_CARDS = 10_000
SMALL_TX = 10_000
FRICTIONLESS_ONLY = "1,0,0,0"
WARM_UP_S = 3
DRAIN_TIMEOUT_S = 600


@dataclass(frozen=True)
class Plan:
    """Sizes, durations and rates shared by every server in a run."""

    cards: int
    tx_large: int
    duration_s: float
    saturation_s: float
    connections: int
    probe_rate: float
    rates: tuple[float, ...]
    fractions: tuple[float, ...]
    use_wrk: bool
    challenge_k: int = 0
    challenge_rounds: int = 5


@dataclass(frozen=True)
class Target:
    """Where an ACS lives: its database URL, keys folder and a work folder for files and logs."""

    name: str
    database_url: str
    keys_dir: Path
    workdir: Path


def offered_rates(plan: Plan, saturation_rps: float) -> list[float]:
    """The absolute rates below saturation plus the fractions of it, ascending, de-duplicated."""
    chosen = {r for r in plan.rates if r < saturation_rps}
    chosen |= {round(f * saturation_rps) for f in plan.fractions if f * saturation_rps >= 1}
    return sorted(chosen)


def run_steps(server: Server, files: LoadFiles, plan: Plan, rates: list[float]) -> dict:
    """Saturation (frictionless only, then the mix) and the fixed-rate steps on one server."""
    only = LoadFiles(files.template, files.pans, FRICTIONLESS_ONLY)
    sat = dict(duration_s=plan.saturation_s, connections=plan.connections, use_wrk=plan.use_wrk)
    steps = {
        "saturation_frictionless": saturation(server, only, **sat),
        "saturation_mix": saturation(server, files, **sat),
    }
    mix_rps = steps["saturation_mix"]["throughput_rps"]
    chosen = rates or offered_rates(plan, mix_rps)
    steps["fixed"] = [fixed_rate(server, files, rate=r, duration_s=plan.duration_s) for r in chosen]
    return steps


def _probe(server: Server, files: LoadFiles, plan: Plan, target: Target, cards: int) -> dict:
    _warm_up(server, files, plan)  # after a load: the new rows' pages come into the cache
    step = fixed_rate(server, files, rate=plan.probe_rate, duration_s=plan.duration_s)
    return {"cards": cards, "transactions": count_transactions(target.database_url), **step}


def _import(target: Target, start: int, stop: int) -> dict:
    outcome = import_range(
        start, stop, database_url=target.database_url, keys_dir=target.keys_dir,
        workdir=target.workdir,
    )  # fmt: skip
    analyze(target.database_url)
    return outcome


def _warm_up(server: Server, files: LoadFiles, plan: Plan) -> None:
    """A few seconds of load, not recorded: pools, caches and compiled schemas get going."""
    fixed_rate(server, files, rate=plan.probe_rate, duration_s=WARM_UP_S)


def acs_scenario(target: Target, plan: Plan, small: LoadFiles, full: LoadFiles) -> dict:
    """Steps 1–6 on a fresh database; returns the results and leaves the server stopped."""
    first = min(plan.cards, SMALL_CARDS)
    result: dict = {"imports": [_import(target, 0, first)], "growth": []}
    _check_imports(result["imports"][-1])
    server = start_acs(target.name, database_url=target.database_url,
                       keys_dir=target.keys_dir, workdir=target.workdir)  # fmt: skip
    try:
        _warm_up(server, small, plan)
        result["tx_loads"] = [top_up_transactions(target.database_url, SMALL_TX)]
        result["growth"].append(_probe(server, small, plan, target, first))
        if plan.cards > first:
            result["imports"].append(_import(target, first, plan.cards))
            _check_imports(result["imports"][-1])
            result["growth"].append(_probe(server, full, plan, target, plan.cards))
        result["tx_loads"].append(top_up_transactions(target.database_url, plan.tx_large))
        result["growth"].append(_probe(server, full, plan, target, plan.cards))
        result["steps"] = run_steps(server, full, plan, [])
        if plan.challenge_k:
            result["drain_seconds"] = _drain(target.database_url)
            result["challenge"] = run_challenge(
                server, concurrent=plan.challenge_k, rounds=plan.challenge_rounds,
                database_url=target.database_url, keys_dir=target.keys_dir,
                workdir=target.workdir,
            )  # fmt: skip
    finally:
        server.stop()
    return result


def _drain(database_url: str, timeout_s: float = DRAIN_TIMEOUT_S) -> float | None:
    """Wait until the ACS has no challenge or RReq left from the load steps; the seconds it
    took (None: still busy at the timeout). The mix's challenges are never answered, so each
    times out 30 s after its AReq and sends an RReq: thousands after the saturation steps. The
    approvals are measured after that backlog, not behind it."""
    started = time.monotonic()
    while pending_challenge_work(database_url) > 0:
        if time.monotonic() - started > timeout_s:
            return None
        time.sleep(1.0)
    return round(time.monotonic() - started, 1)


def _check_imports(outcome: dict) -> None:
    for kind in ("customers", "cards"):
        if not outcome[kind]["ok"]:
            raise RuntimeError(f"acs import {kind} failed: {outcome[kind]['error']}")


def workers_scenario(target: Target, plan: Plan, files: LoadFiles, *, workers: int) -> dict:
    """``acs serve --workers N`` on the already loaded database: saturation, then half of it."""
    server = start_acs(
        f"{target.name}-workers{workers}",
        database_url=target.database_url,
        keys_dir=target.keys_dir,
        workdir=target.workdir,
        workers=workers,
    )
    try:
        _warm_up(server, files, plan)
        sat = saturation(server, files, duration_s=plan.saturation_s,
                         connections=plan.connections, use_wrk=plan.use_wrk)  # fmt: skip
        half = max(1, round(sat["throughput_rps"] / 2))
        fixed = [fixed_rate(server, files, rate=half, duration_s=plan.duration_s)]
    finally:
        server.stop()
    return {"workers": workers, "steps": {"saturation_mix": sat, "fixed": fixed}}
