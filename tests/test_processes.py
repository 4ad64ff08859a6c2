"""`acs serve --workers N` as an operator runs it: real processes, real signals, real sockets.

One supervised server (2 HTTP workers and the results worker) serves the module's tests; the
last test stops it with SIGTERM and checks that every child is gone."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.areqs import areq
from tests.conftest import _TABLES, _execute, run_async

ACS = [sys.executable, "-m", "acs.cli", "--log-format", "text"]
STARTED = re.compile(r"acs: (http worker \d|results worker) started \(pid (\d+)\)")
SERVING = re.compile(r"acs: serving on http://127\.0\.0\.1:(\d+)")


@dataclass
class Server:
    """A running ``acs serve``: its process, its port and every line it logged so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    port: int = 0

    def follow(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, *, after: int = 0, seconds: float = 60) -> re.Match[str]:
        """The first line from index ``after`` matching ``pattern``, within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None and not self._more():
                break
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in {self.lines}")

    def _more(self) -> bool:
        time.sleep(0.2)  # let the reader thread take the last lines
        return False

    def children(self) -> dict[str, int]:
        """The latest pid of each child, by name, from the supervisor's lines."""
        return {m[1]: int(m[2]) for m in map(STARTED.search, self.lines) if m}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def spawn(env: dict[str, str], cwd: Path, *args: str) -> Server:
    process = subprocess.Popen(
        [*ACS, "serve", *args], env=env, cwd=cwd, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    server = Server(process)
    threading.Thread(target=server.follow, daemon=True).start()
    return server


def ready(server: Server, workers: int = 2) -> Server:
    server.port = int(server.wait_for(SERVING.pattern)[1])
    for number in range(1, workers + 1):
        server.wait_for(rf"http worker {number} ready")
    server.wait_for("results worker ready")
    return server


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[1].startswith("Z"))


def post_areq(base: str) -> dict:
    request = urllib.request.Request(
        f"{base}/3ds/areq", data=json.dumps(areq()).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def scrape(base: str) -> str:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:
        return answer.read().decode()


def areq_count(metrics: str) -> float:
    found = re.findall(r'^acs_requests_total\{message_type="AReq",[^}]*\} (\S+)$', metrics, re.M)
    return sum(float(value) for value in found)


@pytest.fixture(scope="module")
def module_env(
    db_kind: str, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, str], Path]]:
    folder = tmp_path_factory.mktemp("serve")
    if db_kind == "sqlite":
        shutil.copyfile(migrated_template, folder / "acs.db")
        url = f"sqlite+aiosqlite:///{folder / 'acs.db'}"
    else:
        run_async(lambda: _execute(migrated_template, f"TRUNCATE {_TABLES} CASCADE"))
        url = migrated_template
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACS_", "PROMETHEUS_"))}
    env |= {
        "ACS_DATABASE_URL": url,
        "ACS_KEYS_DIR": str(folder / "keys"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    yield env, folder


@pytest.fixture(scope="module")
def server(module_env) -> Iterator[Server]:
    env, folder = module_env
    running = ready(spawn(env, folder, "--port", "0", "--workers", "2"))
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait(timeout=10)


def test_second_instance_on_a_served_port_fails_at_once_with_one_line(server, module_env):
    """A second `acs serve` on the port the first serves exits 2 within seconds, one line."""
    env, folder = module_env
    started = time.monotonic()
    second = subprocess.run(
        [*ACS, "serve", "--port", str(server.port)], env=env, cwd=folder,
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert second.returncode == 2
    assert time.monotonic() - started < 10
    assert second.stderr.splitlines() == [
        f"acs: cannot listen on 127.0.0.1:{server.port}: address already in use"
        " (another acs serve?)"
    ]
    assert post_areq(server.base)["messageType"] in ("ARes", "Erro")  # the first still serves


def test_metrics_add_up_every_worker(server):
    """AReqs answered by each worker in turn (the other paused) all show in one scrape."""
    before = areq_count(scrape(server.base))
    pids = server.children()
    first, second = pids["http worker 1"], pids["http worker 2"]
    for paused, count in ((first, 3), (second, 2)):  # the other worker answers them all
        os.kill(paused, signal.SIGSTOP)
        try:
            for _ in range(count):
                post_areq(server.base)
        finally:
            os.kill(paused, signal.SIGCONT)
    os.kill(second, signal.SIGSTOP)  # this scrape is worker 1's: it still sees worker 2's
    try:
        assert areq_count(scrape(server.base)) == before + 5
    finally:
        os.kill(second, signal.SIGCONT)
    metrics = scrape(server.base)
    assert 'acs_outbox_rows{state="pending"}' in metrics
    assert "acs_challenges_open" in metrics and "acs_database_up 1.0" in metrics


def test_a_killed_worker_is_logged_and_restarted(server):
    """SIGKILL to an HTTP worker: the supervisor logs its status and starts another."""
    old = server.children()["http worker 1"]
    mark = len(server.lines)
    os.kill(old, signal.SIGKILL)
    found = server.wait_for(r"http worker 1 \(pid (\d+)\) exited with (.*); restarting", after=mark)
    assert (int(found[1]), found[2].split(" after")[0]) == (old, "killed by SIGKILL")
    new = int(server.wait_for(r"http worker 1 started \(pid (\d+)\)", after=mark)[1])
    assert new != old
    server.wait_for("http worker 1 ready", after=mark)
    assert post_areq(server.base)["messageType"] in ("ARes", "Erro")


def test_sigterm_stops_every_child_within_the_grace_period(server):
    """SIGTERM to the supervisor: every child exits, then the supervisor, status 0."""
    children = server.children()
    assert len(children) == 3 and all(alive(pid) for pid in children.values())
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=15) == 0
    assert time.monotonic() - started < 12  # grace 10 s; an idle server stops at once
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in children.values()):
        assert time.monotonic() < deadline, f"still running: {children}"
        time.sleep(0.05)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{server.base}/healthz", timeout=2)
