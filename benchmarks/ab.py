"""Two versions of the ACS side by side on the same data: ``python -m benchmarks.ab --before DIR``.

On a machine shared with other work, two runs minutes apart see different machines (the
baseline itself moved from 13 000 to 6 000 req/s between two runs of one morning here). This
compares by turns instead: the ACS from ``--before`` (a source tree, e.g. ``git archive REV acs
schemas | tar -x -C DIR``), this checkout's ACS and the baseline are all started on one database
of ``--cards`` cards, then saturated with frictionless AReqs one after the other, ``--rounds``
times; each gets its best round, and its CPU per AReq (server CPU seconds / AReqs answered).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from benchmarks.areqs import write_template
from benchmarks.datagen import write_pans
from benchmarks.drive import LoadFiles, saturation
from benchmarks.importer import import_range
from benchmarks.pgdb import create_database, drop_database
from benchmarks.servers import Server, _spawn, acs_command, acs_env, free_port, start_baseline

__all__ = ["main"]


def _start(name: str, tree: Path, database_url: str, keys_dir: Path, workdir: Path) -> Server:
    env = acs_env(database_url, keys_dir)
    env["PYTHONPATH"] = str(tree)  # this tree's ``acs`` (the current directory does not count)
    port = free_port()
    argv = [*acs_command(), "serve", "--port", str(port), "--workers", "1"]
    server = Server(name, _spawn(name, argv, env, workdir / f"{name}.log"), port,
                    workdir / f"{name}.log")  # fmt: skip
    server.wait_ready()
    return server


def _compare(label: str, database_url: str, args: argparse.Namespace, work: Path) -> None:
    keys = work / "keys"
    import_range(0, args.cards, database_url=database_url, keys_dir=keys, workdir=work)
    files = LoadFiles(write_template(work / "template.json", None),
                      write_pans(work / "pans.txt", args.cards), "100,0,0,0")  # fmt: skip
    now_tree = Path(__file__).resolve().parents[1]
    servers = [
        _start("before", args.before.resolve(), database_url, keys, work),
        _start("now", now_tree, database_url, keys, work),
        start_baseline(work),
    ]
    best: dict[str, dict] = {}
    try:
        for _ in range(args.rounds):
            for server in servers:
                step = saturation(server, files, duration_s=args.seconds,
                                  connections=args.connections, use_wrk=True)  # fmt: skip
                if step["throughput_rps"] > best.get(server.name, {}).get("throughput_rps", 0):
                    best[server.name] = step
    finally:
        for server in servers:
            server.stop()
    base = best["baseline"]["throughput_rps"]
    print(f"\n{label}: best of {args.rounds} rounds of {args.seconds:.0f} s, frictionless AReqs")
    print("| server | AReq/s | × baseline | p99 ms | server CPU % | CPU ms per AReq |")
    print("|---|--:|--:|--:|--:|--:|")
    for name, step in best.items():
        rps, cpu = step["throughput_rps"], step["server_cpu_percent"]
        per = cpu * 10 / rps if rps else float("nan")  # percent of one core → ms per second
        print(f"| {name} | {rps:.0f} | {rps / base:.3f} | {step['p99_ms']:.1f} | {cpu:.0f} | "
              f"{per:.2f} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__.split("\n")[0])
    p.add_argument("--before", type=Path, required=True, help="source tree of the other version")
    p.add_argument("--cards", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--postgres-url", help="also on PostgreSQL (database acs_bench is made)")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="acs-ab-"))
    try:
        (work / "sqlite").mkdir()
        _compare("SQLite", f"sqlite+aiosqlite:///{work / 'sqlite' / 'acs.db'}", args,
                 work / "sqlite")  # fmt: skip
        if args.postgres_url:
            (work / "pg").mkdir()
            url = create_database(args.postgres_url)
            try:
                _compare("PostgreSQL", url, args, work / "pg")
            finally:
                drop_database(args.postgres_url)
    finally:
        if not os.environ.get("AB_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
