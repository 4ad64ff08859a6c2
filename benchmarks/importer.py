"""Load customers and cards through ``acs import`` and time it (rows per second)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from benchmarks.datagen import write_cards, write_customers
from benchmarks.servers import REPO, acs_command, acs_env

__all__ = ["import_range"]

IMPORT_TIMEOUT_S = 4 * 3600


def import_range(
    start: int,
    stop: int,
    *,
    database_url: str,
    keys_dir: Path,
    workdir: Path,
    securpass: bool = False,
) -> dict:
    """Generate and import customers and cards ``start..stop-1``; timings per file.

    ``securpass``: customers eligible for self-care Sécur'Pass (their card was used at a
    terminal), with mobiles in +337… so that their SMS never mix with the others'.
    """
    customers = workdir / f"customers-{start}-{stop}.csv"
    cards = workdir / f"cards-{start}-{stop}.csv"
    write_customers(customers, start, stop, mobile_prefix="+337" if securpass else "+336")
    write_cards(cards, start, stop, used_at_terminal=securpass)
    env = acs_env(database_url, keys_dir)
    return {
        "rows": stop - start,
        "customers": _timed_import("customers", customers, env),
        "cards": _timed_import("cards", cards, env),
    }


def _timed_import(kind: str, path: Path, env: dict[str, str]) -> dict:
    rows = sum(1 for _ in path.open()) - 1
    started = time.perf_counter()
    done = subprocess.run(
        [*acs_command(), "import", kind, str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"ok": False, "rows": rows, "error": _tail(done.stderr or done.stdout)}
    return {
        "ok": True,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds, 1),
    }


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])
