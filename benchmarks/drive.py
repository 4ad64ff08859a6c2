"""Load steps against one server, each in a separate load-generator process, with server CPU.

- ``fixed_rate``: ``benchmarks.loadgen`` in open loop (wrk2-style constant rate; plain wrk has
  no rate option).
- ``saturation``: wrk with ``areq_mix.lua`` when wrk is installed, else ``benchmarks.loadgen``
  in closed loop; the result says which.

Every step returns a plain dict: tool, offered/achieved rps, p50/p95/p99/max ms, errors, the
outcomes seen (transStatus or Erro, loadgen only) and the server's CPU in % of one core.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.cpu import CpuMeter
from benchmarks.servers import REPO, Server

__all__ = ["LoadFiles", "fixed_rate", "saturation", "wrk_available"]

LUA = Path(__file__).resolve().parent / "areq_mix.lua"
SLACK_S = 60  # a step's process gets this long beyond its duration before it is killed


@dataclass(frozen=True)
class LoadFiles:
    """What every generator reads: the AReq template, the PAN list and the mix weights."""

    template: Path
    pans: Path
    mix: str


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def fixed_rate(server: Server, files: LoadFiles, *, rate: float, duration_s: float) -> dict:
    """Open-loop load at ``rate`` requests/s for ``duration_s``."""
    argv = [*_loadgen_argv(server, files, duration_s), "--rate", str(rate)]
    return _measured(server, lambda: _loadgen(argv, duration_s), kind="fixed")


def saturation(
    server: Server, files: LoadFiles, *, duration_s: float, connections: int, use_wrk: bool
) -> dict:
    """As many requests as the server takes from ``connections`` connections."""
    if use_wrk and wrk_available():
        run = lambda: _wrk(server, files, duration_s, connections)  # noqa: E731
    else:
        argv = [*_loadgen_argv(server, files, duration_s), "--concurrency", str(connections)]
        run = lambda: _loadgen(argv, duration_s)  # noqa: E731
    return _measured(server, run, kind="saturation")


def _measured(server: Server, run, *, kind: str) -> dict:
    meter = CpuMeter(server.pid).start()
    result = run()
    cpu = meter.percent(result.pop("busy_s"))
    return {"kind": kind, "server": server.name, **result, "server_cpu_percent": cpu}


def _loadgen_argv(server: Server, files: LoadFiles, duration_s: float) -> list[str]:
    return [
        sys.executable, "-m", "benchmarks.loadgen", "--url", server.areq_url,
        "--pans", str(files.pans), "--mix", files.mix, "--duration", str(duration_s),
        "--template", str(files.template),
    ]  # fmt: skip


def _loadgen(argv: list[str], duration_s: float) -> dict[str, Any]:
    done = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, timeout=duration_s + SLACK_S, check=True
    )
    raw = json.loads(done.stdout)
    return {
        "tool": f"loadgen-{raw['mode']}",
        "offered_rps": raw["offered_rps"],
        "throughput_rps": raw["throughput_rps"],
        **raw["latency"],
        "requests": raw["completed"],
        "errors": raw["errors"],
        "dropped": raw["dropped"],
        "outcomes": raw["outcomes"],
        "busy_s": raw["duration_s"],
    }


def _wrk(server: Server, files: LoadFiles, duration_s: float, connections: int) -> dict:
    argv = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--timeout", "10s",
        "-s", str(LUA), server.areq_url, "--", str(files.template), str(files.pans), files.mix,
    ]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=duration_s + SLACK_S, check=True
    )
    return _parse_wrk(done.stdout)


def _parse_wrk(stdout: str) -> dict[str, Any]:
    line = next(line for line in stdout.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "offered_rps": None,
        "throughput_rps": round(raw["requests"] / seconds, 1),
        **{f"p{p}_ms": raw[f"p{p}_us"] / 1000 for p in (50, 95, 99)},
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "errors": sum(raw["errors"].values()),
        "dropped": 0,
        "outcomes": {},
        "busy_s": seconds,
    }
