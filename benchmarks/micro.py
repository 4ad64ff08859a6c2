"""Micro-benchmarks of the AReq's CPU steps: ``python -m benchmarks.micro [--vector PATH]``.

Each step runs on the held-out 2.2.0 browser AReq (``tests/vectors/areq``), in rounds that take
turns so that load from other processes on a shared machine falls on every step alike; the
figure is the best round's mean, in µs per call. The references (``json.loads``, msgspec,
fastjsonschema, jsonschema) are what the ACS's own steps are compared with.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.areqs import VECTOR

__all__ = ["main", "measure", "steps"]


def steps(body: bytes) -> dict[str, Callable[[], Any]]:
    """Name → a call doing one step on ``body``."""
    import fastjsonschema  # the accept check before (no longer a dependency of the ACS)
    import msgspec

    from acs.protocol import MessageType, parse_json, preload, validate_incoming
    from acs.protocol.parsing import parse_json_slow
    from acs.protocol.validation import (
        FORMAT_CHECKER,
        _conforms_to,
        accept_check,
        schema,
        validator,
    )

    preload()
    message = parse_json(body)
    version = message["messageVersion"]
    plain = dict(message)
    formats = {name: _conforms_to(name) for name in FORMAT_CHECKER.checkers}
    fast = fastjsonschema.compile(schema(version, "AReq"), formats=formats, use_default=False)
    compiled = accept_check(version, "AReq")
    detailed = validator(version, "AReq")
    return {
        "json.loads (reference)": lambda: json.loads(body),
        "msgspec.json.decode (reference)": lambda: msgspec.json.decode(body),
        "parse_json: json.loads + duplicate hook (before)": lambda: parse_json_slow(body),
        "parse_json: msgspec + duplicate count (now)": lambda: parse_json(body),
        "jsonschema is_valid (reference)": lambda: detailed.is_valid(plain),
        "fastjsonschema accept check (before)": lambda: fast(plain),
        "compiled accept check (now)": lambda: compiled(plain),
        "validate_incoming (now, whole)": lambda: validate_incoming(
            message, expected=MessageType.AREQ
        ),
    }


def measure(
    calls: dict[str, Callable[[], Any]], *, rounds: int = 7, seconds: float = 0.15
) -> dict[str, float]:
    """Best mean µs per call of each step over ``rounds`` interleaved rounds."""
    best = dict.fromkeys(calls, float("inf"))
    counts = {}
    for name, call in calls.items():  # size each step's batch to about ``seconds``
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < seconds / 10:
            call()
            n += 1
        counts[name] = max(n * 10, 10)
    for _ in range(rounds):
        for name, call in calls.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / n * 1e6)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.micro", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--vector", type=Path, default=VECTOR)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    body = args.vector.read_bytes()
    print(f"| step ({args.vector.name}, {len(body)} bytes) | µs per call |")
    print("|---|--:|")
    for name, micros in measure(steps(body), rounds=args.rounds).items():
        print(f"| {name} | {micros:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
