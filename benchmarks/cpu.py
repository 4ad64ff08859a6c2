"""CPU time used by a server process and its children (workers): psutil, else ``/proc``."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CpuMeter", "tree_cpu_seconds"]

try:
    import psutil
except ImportError:  # optional: benchmarks/install.sh --optional
    psutil = None

_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and all its living descendants."""
    if psutil is not None:
        return _psutil_tree(pid)
    return sum(_proc_cpu(p) for p in _proc_tree(pid))


def _psutil_tree(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...


def _proc_cpu(pid: int) -> float:
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _proc_tree(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(
                    int(entry.name)
                )
            except OSError:
                continue
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


@dataclass
class CpuMeter:
    """Start it before a load step, read ``percent()`` after: 100 = one core busy."""

    pid: int
    cpu0: float = 0.0
    wall0: float = 0.0

    def start(self) -> CpuMeter:
        self.cpu0, self.wall0 = tree_cpu_seconds(self.pid), time.monotonic()
        return self

    def percent(self, busy_s: float | None = None) -> float:
        """CPU % since ``start()``, over ``busy_s`` (the load window) when given, else wall time.

        The server is near idle outside the window (generator start-up), so dividing by the
        window the generator reports gives the CPU while under load.
        """
        wall = busy_s or time.monotonic() - self.wall0
        return round(100 * (tree_cpu_seconds(self.pid) - self.cpu0) / max(wall, 1e-9), 1)
