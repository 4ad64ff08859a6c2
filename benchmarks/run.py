"""The benchmark entry point: ``python -m benchmarks.run [options]`` (see benchmarks/README.md).

One run, one machine: the ACS on SQLite (and on PostgreSQL with ``--postgres-url``, plus
``--workers``), then the baseline at the same offered rates; results go to
``benchmarks/results/<timestamp>.json`` and, unless ``--no-render``, to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.areqs import Mix, write_template
from benchmarks.datagen import write_pans
from benchmarks.drive import LoadFiles, wrk_available
from benchmarks.goals import evaluate
from benchmarks.machine import describe
from benchmarks.pgdb import create_database, drop_database
from benchmarks.render import render, summary_lines
from benchmarks.scenario import SMALL_CARDS, Plan, Target, acs_scenario, run_steps, workers_scenario
from benchmarks.servers import REPO, start_baseline, start_fake_ds

__all__ = ["main"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
WORK_ROOT = Path(__file__).resolve().parent / "work"  # git-ignored


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--cards", type=int, default=100_000, help="customers and cards (100000)")
    p.add_argument("--big", action="store_true", help="grow transactions to 5 000 000 (slow)")
    p.add_argument("--duration", type=float, default=30, help="s per fixed-rate step (30)")
    p.add_argument("--saturation-duration", type=float, default=30, help="s per saturation (30)")
    p.add_argument("--connections", type=int, default=32, help="saturation connections (32)")
    p.add_argument("--rates", default="20,100", help="absolute offered rates, req/s (20,100)")
    p.add_argument(
        "--fractions",
        default="0.25,0.5,0.75",
        help="offered rates as fractions of the ACS saturation (0.25,0.5,0.75)",
    )
    p.add_argument("--probe-rate", type=float, default=50, help="data-growth probe rate (50)")
    p.add_argument("--mix", default="60,20,15,5", help="frictionless,tra,challenge,invalid")
    p.add_argument("--postgres-url", help="also run on PostgreSQL (database acs_bench is made)")
    p.add_argument("--workers", type=int, default=2, help="workers for the PostgreSQL run (2)")
    p.add_argument("--challenge-k", type=int, default=20, help="concurrent approvals (20)")
    p.add_argument("--challenge-rounds", type=int, default=5, help="rounds per method (5)")
    p.add_argument("--no-challenge", action="store_true", help="skip the challenge path")
    p.add_argument("--no-wrk", action="store_true", help="saturate with loadgen, not wrk")
    p.add_argument("--note", default="", help="a line for the report (e.g. 'smoke run')")
    p.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    p.add_argument("--no-render", action="store_true", help="do not write docs/performance.md")
    p.add_argument("--keep-work", action="store_true", help="keep the work folder (DB, logs)")
    return p


def _plan(args: argparse.Namespace) -> Plan:
    return Plan(
        cards=args.cards,
        tx_large=5_000_000 if args.big else 100_000,
        duration_s=args.duration,
        saturation_s=args.saturation_duration,
        connections=args.connections,
        probe_rate=args.probe_rate,
        rates=_floats(args.rates),
        fractions=_floats(args.fractions),
        use_wrk=not args.no_wrk and wrk_available(),
        challenge_k=0 if args.no_challenge else args.challenge_k,
        challenge_rounds=args.challenge_rounds,
    )


def _load_files(workdir: Path, cards: int, mix: str, ds_url: str) -> tuple[LoadFiles, LoadFiles]:
    template = write_template(workdir / "areq-template.json", ds_url)
    small = write_pans(workdir / "pans-small.txt", min(cards, SMALL_CARDS))
    full = write_pans(workdir / "pans-full.txt", cards)
    return LoadFiles(template, small, mix), LoadFiles(template, full, mix)


def _guarded(name: str, results: dict, run) -> dict | None:
    """Run one server's scenario; a failure is recorded and the run goes on with the next."""
    print(f"benchmarks: {name} …", file=sys.stderr, flush=True)
    try:
        outcome = run()
    except Exception as exc:
        traceback.print_exc()
        outcome = {"error": f"{type(exc).__name__}: {exc}"}
    results["servers"][name] = outcome
    return outcome


def _sqlite(work: Path, plan: Plan, files: tuple[LoadFiles, LoadFiles]) -> dict:
    folder = work / "sqlite"
    folder.mkdir()
    url = f"sqlite+aiosqlite:///{folder / 'acs.db'}"
    return acs_scenario(Target("acs-sqlite", url, folder / "keys", folder), plan, *files)


def _postgres(work: Path, plan: Plan, files, server_url: str, workers: int, results: dict) -> dict:
    folder = work / "postgres"
    folder.mkdir()
    target = Target("acs-postgres", create_database(server_url), folder / "keys", folder)
    try:
        outcome = acs_scenario(target, plan, *files)
        if workers > 1:
            results["servers"]["acs-postgres-workers"] = workers_scenario(
                target, plan, files[1], workers=workers
            )
        return outcome
    finally:
        drop_database(server_url)


def _baseline(work: Path, plan: Plan, files: LoadFiles, acs: dict | None) -> dict:
    rates = [s["offered_rps"] for s in ((acs or {}).get("steps") or {}).get("fixed", [])]
    server = start_baseline(work)
    try:
        return {"steps": run_steps(server, files, plan, rates)}
    finally:
        server.stop()


_NOT_REPEATED = {"help", "results_dir", "no_render", "keep_work"}


def _explicit_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """The command with every option spelled out, so later default changes do not alter it."""
    words = ["python", "-m", "benchmarks.run"]
    for action in parser._actions:
        value = getattr(args, action.dest, None)
        if action.dest in _NOT_REPEATED or value in (None, False, ""):
            continue
        words.append(action.option_strings[-1])
        if value is not True:
            words.append(str(value))
    return shlex.join(words)


def _take_challenge(results: dict, name: str, outcome: dict | None) -> None:
    """Move a server's challenge-path result to ``results["challenge"][name]``."""
    found = (outcome or {}).pop("challenge", None)
    if found is not None:
        results["challenge"][name] = found


def _write(results: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{results['started'].replace(':', '').replace('-', '')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def run(args: argparse.Namespace, command: str) -> Path:
    plan, started = _plan(args), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    WORK_ROOT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=WORK_ROOT))
    results = {"started": started, "machine": describe(), "plan": plan.__dict__,
               "note": args.note, "command": command, "servers": {}}  # fmt: skip
    # A live DS for the AReqs' dsURL: without one, every challenged AReq's RReq would be
    # retried in the background for the whole run, which no production ACS sees.
    fake_ds = start_fake_ds(work)
    try:
        files = _load_files(
            work, plan.cards, Mix.parse(args.mix).text(), f"{fake_ds.base_url}/rreq"
        )
        acs = _guarded("acs-sqlite", results, lambda: _sqlite(work, plan, files))
        results["challenge"] = {}
        _take_challenge(results, "acs-sqlite", acs)
        if args.postgres_url:
            pg = lambda: _postgres(work, plan, files, args.postgres_url, args.workers, results)  # noqa: E731
            _take_challenge(results, "acs-postgres", _guarded("acs-postgres", results, pg))
        _guarded("baseline", results, lambda: _baseline(work, plan, files[1], acs))
    finally:
        fake_ds.stop()
        results["finished"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        results["goals"] = evaluate(results)
        path = _write(results, args.results_dir)
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    path = run(args, _explicit_command(parser, args))
    results = json.loads(path.read_text())
    print("\n".join(summary_lines(results)))
    print(
        f"\nbenchmarks: results in {path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
    )
    if not args.no_render:
        for written in render(results, source=path):
            print(f"benchmarks: wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
