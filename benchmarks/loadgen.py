"""An aiohttp load generator, run in its own process: open loop at a fixed rate, or closed loop.

Open loop (``--rate R``): request ``i`` is due at ``t0 + i/R`` whatever the server does, and its
latency is measured from that due time, so a stalled server shows as latency (no coordinated
omission) — the same idea as wrk2's constant throughput mode. When ``--concurrency`` requests are
already in flight, a due request is counted as dropped rather than queued without bound.
Closed loop (no ``--rate``): ``--concurrency`` workers send back to back; a saturation fallback
for machines without wrk.

    python -m benchmarks.loadgen --url http://127.0.0.1:8100/3ds/areq --pans pans.txt \
        --rate 200 --duration 10

prints one JSON object (see ``LoadResult``) on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp

from benchmarks.areqs import Mix, load_template, render
from benchmarks.stats import summarize

__all__ = ["LoadResult", "LoadSpec", "main", "run_load"]

_STATUS = re.compile(rb'"transStatus"\s*:\s*"(\w)"')
_ERRO = re.compile(rb'"messageType"\s*:\s*"Erro"')
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class LoadSpec:
    url: str
    duration_s: float
    rate: float | None  # None: closed loop
    concurrency: int
    mix: Mix
    pans: tuple[str, ...]
    seed: int = 1
    template: str | None = None  # the AReq template's text (default: the built-in one)


@dataclass
class LoadResult:
    mode: str
    offered_rps: float | None
    duration_s: float
    sent: int = 0
    completed: int = 0
    errors: int = 0
    dropped: int = 0
    throughput_rps: float = 0.0
    latency: dict[str, float | None] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    http_status: dict[str, int] = field(default_factory=dict)


class _Recorder:
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.http_status: Counter[str] = Counter()
        self.errors = 0
        self.sent = 0
        self.dropped = 0
        self.last_done = 0.0

    def record(self, started: float, status: int, body: bytes) -> None:
        self.last_done = time.perf_counter()
        self.latencies_ms.append((self.last_done - started) * 1000)
        self.http_status[str(status)] += 1
        self.outcomes[_outcome(status, body)] += 1


def _outcome(status: int, body: bytes) -> str:
    if status != 200:
        return f"HTTP {status}"
    if _ERRO.search(body):
        return "Erro"
    found = _STATUS.search(body)
    return found.group(1).decode() if found else "other"


class _Bodies:
    """Fresh AReq bodies from the template, the PAN list and the mix."""

    def __init__(self, spec: LoadSpec) -> None:
        self.template, self.spec = spec.template or load_template(), spec
        self.rng = random.Random(spec.seed)

    def next(self) -> bytes:
        pan = self.rng.choice(self.spec.pans)
        return render(self.template, self.spec.mix.pick(self.rng), pan, self.rng)


async def _send(session, url: str, body: bytes, started: float, rec: _Recorder) -> None:
    headers = {"Content-Type": "application/json"}
    try:
        async with session.post(url, data=body, headers=headers) as response:
            rec.record(started, response.status, await response.read())
    except (aiohttp.ClientError, TimeoutError):
        rec.errors += 1


async def _open_loop(session, spec: LoadSpec, rec: _Recorder) -> None:
    bodies, tasks = _Bodies(spec), set()
    total, t0 = int(spec.rate * spec.duration_s), time.perf_counter()
    while rec.sent + rec.dropped < total:
        index = rec.sent + rec.dropped
        due = t0 + index / spec.rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if len(tasks) >= spec.concurrency:
            rec.dropped += 1
            continue
        task = asyncio.create_task(_send(session, spec.url, bodies.next(), due, rec))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        rec.sent += 1
    if tasks:
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_S)


async def _closed_loop(session, spec: LoadSpec, rec: _Recorder) -> None:
    bodies, deadline = _Bodies(spec), time.perf_counter() + spec.duration_s

    async def worker() -> None:
        while time.perf_counter() < deadline:
            rec.sent += 1
            await _send(session, spec.url, bodies.next(), time.perf_counter(), rec)

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))


async def run_load(spec: LoadSpec) -> LoadResult:
    """Drive ``spec.url`` for ``spec.duration_s`` and summarize what came back."""
    rec = _Recorder()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=spec.concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        t0 = time.perf_counter()
        loop = _open_loop if spec.rate else _closed_loop
        await loop(session, spec, rec)
    return _result(spec, rec, max(rec.last_done - t0, 1e-9))


def _result(spec: LoadSpec, rec: _Recorder, elapsed: float) -> LoadResult:
    return LoadResult(
        mode="open" if spec.rate else "closed",
        offered_rps=spec.rate,
        duration_s=round(elapsed, 3),
        sent=rec.sent,
        completed=len(rec.latencies_ms),
        errors=rec.errors,
        dropped=rec.dropped,
        throughput_rps=round(len(rec.latencies_ms) / elapsed, 1),
        latency=summarize(rec.latencies_ms),
        outcomes=dict(rec.outcomes),
        http_status=dict(rec.http_status),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="AReq load generator (prints JSON)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--pans", required=True, type=Path, help="file of PANs, one a line")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--rate", type=float, help="requests/s, open loop; omit for closed loop")
    parser.add_argument("--concurrency", type=int, default=256, help="max in flight (256)")
    parser.add_argument("--mix", default="60,20,15,5", help="frictionless,tra,challenge,invalid")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--template", type=Path, help="AReq template file (as wrk's)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    pans = tuple(args.pans.read_text().split())
    if not pans:
        print("loadgen: the PAN file is empty", file=sys.stderr)
        return 2
    template = args.template.read_text() if args.template else None
    spec = LoadSpec(
        args.url, args.duration, args.rate, args.concurrency, Mix.parse(args.mix), pans,
        args.seed, template,
    )  # fmt: skip
    print(json.dumps(asdict(asyncio.run(run_load(spec)))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
