"""Results JSON → ``docs/performance.md`` and ``docs/performance-latency.png``.

python -m benchmarks.render [benchmarks/results/<timestamp>.json]   (default: the newest)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.plot import plot_latency
from benchmarks.servers import REPO

__all__ = ["render", "summary_lines"]

DOCS = REPO / "docs"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
NOTES = Path(__file__).resolve().parent / "notes.md"  # "What stands in the way", by the lead
REFERENCE = {"cards": 100_000, "duration_s": 30, "saturation_s": 30}


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _rps(value: float | None) -> str:
    return "sat." if value is None else f"{value:.0f}"


def _outcomes(step: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(step.get("outcomes", {}).items())) or "—"


ORDER = ("acs-sqlite", "acs-postgres", "acs-postgres-workers", "baseline")


def servers_in_order(results: dict) -> list[tuple[str, dict]]:
    """The servers of a run, ACS on SQLite first and the baseline last."""
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(results["servers"].items(), key=lambda item: rank.get(item[0], len(ORDER)))


def _step_row(server: str, name: str, step: dict) -> str:
    cells = [
        server, name, step["tool"], _rps(step["offered_rps"]), f"{step['throughput_rps']:.0f}",
        _ms(step["p50_ms"]), _ms(step["p95_ms"]), _ms(step["p99_ms"]), _ms(step["max_ms"]),
        f"{step['server_cpu_percent']:.0f}", str(step["errors"] + step.get("dropped", 0)),
        _outcomes(step),
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def _named_steps(steps: dict) -> list[tuple[str, dict]]:
    named = [(k, v) for k, v in steps.items() if k != "fixed"]
    return named + [("fixed rate", step) for step in steps.get("fixed", [])]


def steps_table(results: dict) -> list[str]:
    """One row per load step of every server."""
    lines = [
        "| server | step | tool | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms "
        "| max ms | server CPU % | errors+dropped | outcomes |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for server, outcome in servers_in_order(results):
        if "error" in outcome:
            lines.append(f"| {server} | failed: {outcome['error']} |" + " |" * 10)
            continue
        lines += [_step_row(server, n, s) for n, s in _named_steps(outcome.get("steps", {}))]
    return lines


def _ratio(steps: dict, base: dict, key: str) -> str:
    if key not in steps or key not in base or not base[key]["throughput_rps"]:
        return "—"
    return f"{steps[key]['throughput_rps'] / base[key]['throughput_rps']:.2f} ×"


def ratio_lines(results: dict) -> list[str]:
    """ACS / baseline saturation throughput for each ACS."""
    base = (results["servers"].get("baseline") or {}).get("steps")
    if not base:
        return ["No baseline result: no ratio."]
    lines = [
        "| ACS | frictionless sat. ACS / baseline | mix sat. ACS / baseline |",
        "|---|--:|--:|",
    ]
    for name, outcome in servers_in_order(results):
        steps = outcome.get("steps")
        if name == "baseline" or not steps:
            continue
        cells = [_ratio(steps, base, k) for k in ("saturation_frictionless", "saturation_mix")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def goal_lines(results: dict) -> list[str]:
    lines = ["| goal | target | measured | met |", "|---|---|---|---|"]
    for g in results.get("goals", []):
        met = {True: "yes", False: "**no**", None: "—"}[g["met"]]
        lines.append(f"| {g['goal']} | {g['target']} | {g['measured']} | {met} |")
    return lines


def summary_lines(results: dict) -> list[str]:
    """What ``benchmarks.run`` prints at the end: steps, ratios, goals."""
    return [*steps_table(results), "", *ratio_lines(results), "", *goal_lines(results)]


def is_smoke(results: dict) -> bool:
    plan = results["plan"]
    return any(plan[k] < v for k, v in REFERENCE.items()) or "smoke" in results.get("note", "")


def render(
    results: dict, *, source: Path, docs: Path = DOCS, notes: Path | None = NOTES
) -> list[Path]:
    """Write the Markdown report and the latency plot; return the paths written.

    ``notes`` (``benchmarks/notes.md``) fills "What stands in the way" when it exists.
    """
    from benchmarks.report import report_markdown

    docs.mkdir(parents=True, exist_ok=True)
    png = docs / "performance-latency.png"
    drawn = plot_latency(results, png)
    md = docs / "performance.md"
    plot = png.name if drawn else None
    md.write_text(report_markdown(results, source=source, plot=plot, notes=notes))
    return [md, png] if drawn else [md]


def _newest() -> Path:
    files = sorted(RESULTS_DIR.glob("*.json"))
    if not files:
        raise SystemExit(f"no results in {RESULTS_DIR}: run python -m benchmarks.run first")
    return files[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render")
    parser.add_argument("results", nargs="?", type=Path, help="results JSON (default: newest)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder to write into (docs/)")
    parser.add_argument("--notes", type=Path, default=NOTES, help="analysis (benchmarks/notes.md)")
    args = parser.parse_args(argv)
    source = args.results or _newest()
    results = json.loads(source.read_text())
    for path in render(results, source=source, docs=args.docs, notes=args.notes):
        print(f"benchmarks: wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
