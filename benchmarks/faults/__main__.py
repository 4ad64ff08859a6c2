"""``python -m benchmarks.faults``: the fault scenarios at a larger size, with their figures.

```sh
python -m benchmarks.faults                                   # SQLite, 300 challenges, 3 kills
python -m benchmarks.faults --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
python -m benchmarks.faults --challenges 100 --kills 1 --seed 7 --outage 5
```

Scenarios: ``crash`` (SMS OTP challenges), ``crash-securpass`` (Sécur'Pass: one phone approving
every challenge, at most 100), ``refuse``, ``error``, ``blackhole`` (the DS's outage modes).
Each run uses a fresh database (a SQLite file under ``benchmarks/work/faults/``, or the
database ``acs_faults`` created and dropped on the PostgreSQL server), fresh dev keys and the
demo customers and cards; ``acs serve`` runs as a subprocess. It prints one line per scenario
and exits 1 when a result was lost, a challenge left undecided or a cardholder failed.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

from acs.demo import write_demo_csv
from benchmarks.faults.edge import DsMode
from benchmarks.faults.scenarios import (
    SECURPASS_MAX,
    CrashFigures,
    OutageFigures,
    crash_during_approvals,
    crash_during_challenges,
    ds_outage,
)
from benchmarks.pgdb import create_database, drop_database
from benchmarks.servers import REPO, acs_command, acs_env

WORK = REPO / "benchmarks" / "work" / "faults"
DATABASE = "acs_faults"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    backends = [("sqlite", None)] + ([("postgres", args.postgres_url)] if args.postgres_url else [])
    bad = 0
    for name, server in backends:
        for scenario in _scenarios(args):
            started = time.monotonic()
            figures = _run(name, server, scenario, args)
            print(_line(name, scenario, figures, time.monotonic() - started), flush=True)
            bad += _bad(figures)
    return 1 if bad else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__)
    parser.add_argument("--challenges", type=int, default=300, help="cardholders per scenario")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs in the crash scenario")
    parser.add_argument("--workers", type=int, default=1, help="acs serve --workers")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the DS is down")
    parser.add_argument("--seed", type=int, default=12, help="the random moments and inputs")
    parser.add_argument("--postgres-url", help="also run on this PostgreSQL server")
    parser.add_argument("--only", choices=[*CRASHES, *[m.value for m in DsMode][1:]],
                        action="append", help="run only these scenarios (repeatable)")  # fmt: skip
    return parser


CRASHES = ("crash", "crash-securpass")


def _scenarios(args: argparse.Namespace) -> list[str]:
    every = [*CRASHES, "refuse", "error", "blackhole"]
    return [s for s in every if not args.only or s in args.only]


def _run(backend: str, server: str | None, scenario: str, args: argparse.Namespace):
    workdir = WORK / f"{backend}-{scenario}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    keys = workdir / "keys"
    url = (
        f"sqlite+aiosqlite:///{workdir / 'acs.db'}"
        if server is None
        else create_database(server, DATABASE)
    )
    try:
        _prepare(url, keys, workdir)
        settle = 120.0 + args.challenges / 5
        common = dict(database_url=url, keys_dir=keys, workdir=workdir, seed=args.seed,
                      challenges=args.challenges, settle_timeout=settle)  # fmt: skip
        if scenario == "crash":
            return asyncio.run(
                crash_during_challenges(**common, kills=args.kills, workers=args.workers)
            )
        if scenario == "crash-securpass":
            common["challenges"] = min(args.challenges, SECURPASS_MAX)
            return asyncio.run(
                crash_during_approvals(**common, kills=args.kills, workers=args.workers)
            )
        return asyncio.run(ds_outage(**common, mode=DsMode(scenario), outage_s=args.outage))
    finally:
        if server is not None:
            drop_database(server, DATABASE)


def _prepare(url: str, keys: Path, workdir: Path) -> None:
    """Migrations, dev keys and the demo customers and cards, through the ``acs`` command."""
    env = acs_env(url, keys)
    customers, cards = write_demo_csv(workdir / "demo")
    for command in (["db", "upgrade"], ["keys", "init"], ["import", "customers", str(customers)],
                    ["import", "cards", str(cards)]):  # fmt: skip
        subprocess.run([*acs_command(), *command], env=env, cwd=REPO, check=True,
                       capture_output=True)  # fmt: skip


def _line(backend: str, scenario: str, figures: CrashFigures | OutageFigures, took: float) -> str:
    s = figures.settled
    tail = (f"RReqs lost {s.lost}, duplicated {s.duplicated}; decided {s.decided}/{s.challenges},"
            f" results delivered {s.delivered}/{s.results}; {took:.0f} s")  # fmt: skip
    if isinstance(figures, CrashFigures):
        restarts = ", ".join(f"{r:.1f}" for r in figures.restart_s)
        return (f"{backend:8} {scenario:15} {figures.challenges} cardholders,"
                f" {figures.kills} kill -9:"
                f" {figures.completed} completed ({figures.too_late} timed out while it was down),"
                f" {figures.approved} approved, {figures.failed} failed"
                f" {list(figures.errors)[:3]}, {figures.retries} calls retried,"
                f" {figures.resends} codes re-asked, {figures.answered_twice} phone answers"
                f" repeated, {figures.mismatched}"
                f" CRes/RReq mismatches; restart {restarts} s,"
                f" all delivered {figures.settle_s:.1f} s after the last kill; {tail}")  # fmt: skip
    return (f"{backend:8} ds-{figures.mode:9} {figures.challenges} cardholders, DS down"
            f" {figures.down_s:.1f} s: {figures.tried_during} RReqs tried meanwhile,"
            f" {figures.delivered_during} delivered; all delivered {figures.recovery_s:.1f} s"
            f" after it came back (next retries were due within {max(figures.due_s, 0):.1f} s);"
            f" {tail}")  # fmt: skip


def _bad(figures: CrashFigures | OutageFigures) -> bool:
    s = figures.settled
    return bool(s.lost or s.undecided or figures.failed or s.results != s.decided)


if __name__ == "__main__":
    sys.exit(main())
