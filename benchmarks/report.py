"""The Markdown of ``docs/performance.md``, built from one results document."""

from __future__ import annotations

from pathlib import Path

from benchmarks.render import goal_lines, is_smoke, ratio_lines, servers_in_order, steps_table
from benchmarks.report_challenge import challenge_lines
from benchmarks.servers import REPO

__all__ = ["report_markdown"]

METHOD = """\
- **Open loop** (`benchmarks/loadgen.py`, a separate process): request *i* is due at
  *t0 + i/rate* whatever the server does, and latency runs from that due time, so a stalled
  server shows up as latency (wrk2's constant-throughput idea; plain wrk has no rate option).
  More than 256 requests in flight → the due request is counted as dropped.
- **Saturation**: wrk (Debian package, one thread, 32 connections) with
  `benchmarks/areq_mix.lua`, or loadgen in closed loop with `--no-wrk`.
- **The mix** (`benchmarks/areqs.py`, the same in Lua): 2.2.0 browser payment AReqs from
  `tests/vectors/areq`, fresh `threeDSServerTransID`/`dsTransID`, a random loaded PAN; weights
  frictionless (1–30 €) / TRA band (30–250 €) / challenge amount (> 500 €) / invalid (bad
  `purchaseDate` → Erro 203). "outcomes" counts what came back (transStatus, or Erro).
- **CPU**: user + system time of the server process and its children (psutil, else
  `/proc/<pid>/stat`) over the load window; 100 % = one core busy.
- **Baseline** (`benchmarks/baseline.py`): aiohttp reading and parsing the same AReq JSON and
  answering a fixed ARes — the floor of the stack, none of the ACS's work.
- **Data growth**: the same low open-loop rate at 10 000 cards / 10 000 transactions, then with
  all cards, then with the large transaction table (bulk-loaded with SQL, `benchmarks/txload.py`).
  After each load `ANALYZE` (and on SQLite a WAL checkpoint), as an operator would; before each
  probe a 3 s warm-up, not recorded.
- Load generator and server share the machine's cores: on 2 cores, saturation figures include
  the generator's cost."""


def _machine(m: dict) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    return [
        "| | |", "|---|---|",
        f"| date (UTC) | {m['date']} |", f"| CPU | {m['cpu']} |", f"| nproc | {m['nproc']} |",
        f"| memory | {m['memory_gib']} GiB |", f"| OS | {m['os']} |",
        f"| Python | {m['python']} |", f"| libraries | {packages} |",
        f"| wrk | {m.get('wrk') or 'not installed'} |",
        f"| load average at start | {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])} |",
    ]  # fmt: skip


GROWTH_LABELS = {"base": "first cards, 10 000 tx", "cards": "all cards", "tx": "tx grown"}
BIG_TX = 5_000_000


def _growth_kinds(count: int) -> list[str]:
    """Which probe each row is: the first, the one after the remaining cards, the last."""
    return ["base", "cards", "tx"] if count == 3 else ["base", "tx"][:count]


def _growth_caveats(results: dict) -> list[str]:
    """Say plainly which comparisons this run could not make."""
    plan, notes = results["plan"], []
    if plan["cards"] <= 10_000:
        notes.append(f"- **Cards: not compared.** This run had {plan['cards']:,} cards (≤ 10 000), "
                     "so no probe ran after a larger card import; the rows compare transaction "
                     "counts only. Run with `--cards 100000` (or 1 000 000).")  # fmt: skip
    if plan["tx_large"] < BIG_TX:
        notes.append(f"- **Transactions: {plan['tx_large']:,} at most.** The "
                     f"{BIG_TX:,}-transaction probe was not run (needs `--big`).")  # fmt: skip
    return notes


def _growth(results: dict) -> list[str]:
    lines = ["| ACS | probe | cards | transactions | offered req/s | p50 ms | p95 ms | p99 ms |",
             "|---|---|--:|--:|--:|--:|--:|--:|"]  # fmt: skip
    for name, outcome in servers_in_order(results):
        probes = outcome.get("growth", [])
        for kind, p in zip(_growth_kinds(len(probes)), probes, strict=False):
            lines.append(f"| {name} | {GROWTH_LABELS[kind]} | {p['cards']:,} | "
                         f"{p['transactions']:,} | {p['offered_rps']:.0f} | {p['p50_ms']:.1f} | "
                         f"{p['p95_ms']:.1f} | {p['p99_ms']:.1f} |")  # fmt: skip
    caveats = _growth_caveats(results)
    return [*lines, "", *caveats] if caveats else lines


def _imports(results: dict) -> list[str]:
    lines = ["| ACS | what | rows | seconds | rows/s |", "|---|---|--:|--:|--:|"]
    for name, outcome in servers_in_order(results):
        for batch in outcome.get("imports", []):
            for kind in ("customers", "cards"):
                r = batch[kind]
                lines.append(f"| {name} | acs import {kind} | {r['rows']:,} | "
                             f"{r.get('seconds', '—')} | {r.get('rows_per_s', '—')} |")  # fmt: skip
        for load in outcome.get("tx_loads", []):
            if load["rows"]:
                lines.append(f"| {name} | SQL bulk load of transactions | {load['rows']:,} | "
                             f"{load['seconds']} | {load['rows_per_s']} |")  # fmt: skip
    return lines


def _workers(results: dict) -> list[str]:
    one = (results["servers"].get("acs-postgres") or {}).get("steps")
    many = results["servers"].get("acs-postgres-workers") or {}
    if not one or not many.get("steps"):
        return ["Not run (needs `--postgres-url`)."]
    rows = [("1", one), (str(many["workers"]), many["steps"])]
    lines = [
        "| workers | mix saturation req/s | server CPU % | p99 ms at sat. |",
        "|--:|--:|--:|--:|",
    ]
    for workers, steps in rows:
        sat = steps["saturation_mix"]
        lines.append(f"| {workers} | {sat['throughput_rps']:.0f} | "
                     f"{sat['server_cpu_percent']:.0f} | {sat['p99_ms']:.1f} |")  # fmt: skip
    return lines


def _banner(results: dict) -> list[str]:
    plan = results["plan"]
    kind = "**Short smoke run — not the reference numbers.**" if is_smoke(results) else (
        "Reference run.")  # fmt: skip
    sizes = (f"{plan['cards']:,} cards, transactions grown to {plan['tx_large']:,}, "
             f"{plan['duration_s']:g} s per fixed-rate step, {plan['saturation_s']:g} s per "
             f"saturation step.")  # fmt: skip
    note = f" Note: {results['note']}" if results.get("note") else ""
    return [f"{kind} {sizes}{note}"]


NOTES_PLACEHOLDER = (
    "_To be written: the analysis of what limits the figures above. Write it in "
    "`benchmarks/notes.md`, then re-render with `python -m benchmarks.render`._"
)


def _notes(notes: Path | None) -> str:
    """The lead's analysis from ``benchmarks/notes.md``, or a placeholder when absent."""
    if notes is None or not notes.is_file() or not notes.read_text().strip():
        return NOTES_PLACEHOLDER
    return notes.read_text().strip()


def report_markdown(
    results: dict, *, source: Path, plot: str | None, notes: Path | None = None
) -> str:
    """The whole page; ``plot`` is the PNG's file name beside it, or None when not drawn;
    ``notes`` the Markdown file of "What stands in the way" (a placeholder when absent)."""
    rel = source.relative_to(REPO) if source.is_relative_to(REPO) else source
    figure = (
        f"![latency against offered load]({plot})"
        if plot
        else ("_No plot: matplotlib is not installed (`bash benchmarks/install.sh --optional`)._")
    )
    parts = [
        "# Performance", "",
        "Generated by `python -m benchmarks.render` from "
        f"`{rel}` — do not edit by hand. How to run: "
        "[benchmarks/README.md](../benchmarks/README.md).",
        "", *_banner(results), "",
        f"Reproduce: `{results.get('command', 'python -m benchmarks.run')}`", "",
        "## Machine", "", *_machine(results["machine"]), "",
        "## Goals (reported, not asserted)", "", *goal_lines(results), "",
        "## Throughput and latency", "", *steps_table(results), "",
        "ACS / baseline:", "", *ratio_lines(results), "", figure, "",
        "## Cost as data grows", "", *_growth(results), "",
        "Import and bulk-load speed:", "", *_imports(results), "",
        "## Several processes (PostgreSQL)", "", *_workers(results), "",
        "## Challenge path (Sécur'Pass approvals)", "", *challenge_lines(results), "",
        "## What stands in the way", "", _notes(notes), "",
        "## Method", "", METHOD, "",
    ]  # fmt: skip
    return "\n".join(parts)
