"""The servers under test, as subprocesses on free loopback ports: ``acs serve`` and the baseline.

Each is started in a session of its own, so stopping it (SIGINT, then SIGTERM, then SIGKILL to
that process group) also ends the workers of ``acs serve --workers N`` and nothing else.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.idp import config_file

__all__ = ["REPO", "Server", "acs_command", "free_port", "start_acs", "start_baseline"]

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def acs_command() -> list[str]:
    """``acs`` when it is installed, else the same CLI through ``python -m acs.cli``."""
    found = shutil.which("acs")
    return [found] if found else [sys.executable, "-m", "acs.cli"]


def acs_env(database_url: str, keys_dir: Path) -> dict[str, str]:
    env = dict(os.environ, ACS_DATABASE_URL=database_url, ACS_KEYS_DIR=str(keys_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # Built-in defaults, but for the identity provider the phones' tokens come from.
    env["ACS_CONFIG"] = str(config_file(keys_dir))
    return env


@dataclass
class Server:
    """A running server: its name, root process, base URL and log file."""

    name: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def areq_url(self) -> str:
        return f"{self.base_url}/3ds/areq"

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}); see {self.log}"
                )
            if _answers(f"{self.base_url}/healthz"):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s; see {self.log}")

    def stop(self) -> None:
        for sig, wait_s in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                return
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait_s)
            except subprocess.TimeoutExpired:
                continue


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _spawn(name: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_acs(
    name: str, *, database_url: str, keys_dir: Path, workdir: Path, workers: int = 1
) -> Server:
    """``acs serve`` on a free port; waits for ``/healthz`` (migrations run first)."""
    port, log = free_port(), workdir / f"{name}.log"
    argv = [*acs_command(), "serve", "--port", str(port), "--workers", str(workers)]
    server = Server(name, _spawn(name, argv, acs_env(database_url, keys_dir), log), port, log)
    server.wait_ready()
    return server


def start_fake_ds(workdir: Path) -> Server:
    """A fake DS (``benchmarks/fake_ds.py``) answering every RReq, for the load steps' dsURL."""
    return _start_module("fake-ds", "benchmarks.fake_ds", workdir)


def start_baseline(workdir: Path) -> Server:
    """The bare aiohttp baseline (``benchmarks/baseline.py``) on a free port."""
    return _start_module("baseline", "benchmarks.baseline", workdir)


def _start_module(name: str, module: str, workdir: Path) -> Server:
    """``python -m module --port P`` on a free port, logging to ``workdir/name.log``."""
    port, log = free_port(), workdir / f"{name}.log"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", module, "--port", str(port)]
    server = Server(name, _spawn(name, argv, env, log), port, log)
    server.wait_ready()
    return server
