"""A private PostgreSQL cluster for tests that stop and start the server (never the shared one).

``initdb`` into a temporary folder, trust authentication, loopback only, a free port; stopped
and removed at the end. Run as root (a container), the server runs as the ``postgres`` user,
as PostgreSQL refuses root. Without ``initdb`` the test skips (fails under ``CI=true``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.prereq import missing_prerequisite

__all__ = ["PrivatePostgres", "private_postgres"]


class PrivatePostgres:
    """One cluster: :attr:`url` (database ``postgres``), :meth:`stop`, :meth:`start`."""

    def __init__(self, folder: Path, initdb: str, pg_ctl: str) -> None:
        self.folder, self._initdb, self._pg_ctl = folder, initdb, pg_ctl
        self.data, self.port = folder / "data", _free_port()
        self._as = _run_as()

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        if self._as:
            shutil.chown(self.folder, user=self._as)
        self._run(self._initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off"
        )
        self._run(self._pg_ctl, "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-w", "-t", "30", "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: every session is told and closed, as a restart does)."""
        self._run(self._pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    async def restart(self, down_seconds: float) -> None:
        """Stop, stay down ``down_seconds``, start again (without blocking the event loop)."""
        await asyncio.to_thread(self.stop)
        await asyncio.sleep(down_seconds)
        await asyncio.to_thread(self.start)

    def _run(self, *argv: str) -> None:
        command = ["runuser", "-u", self._as, "--", *argv] if self._as else list(argv)
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> str | None:
    """The user to run PostgreSQL as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing_prerequisite("running as root without a postgres user to run PostgreSQL as")
    if shutil.which("runuser") is None:
        missing_prerequisite("running as root without runuser")
    return "postgres"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, stopped (immediately) and removed after the test."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        missing_prerequisite("initdb and pg_ctl not on PATH (a private PostgreSQL cluster)")
    assert initdb is not None and pg_ctl is not None
    # Not under pytest's tmp_path: its parents are private to us, and the server may run as
    # another user. mkdtemp's folder is private too until it is handed to that user.
    folder = Path(tempfile.mkdtemp(prefix="acs-pg-"))
    cluster = PrivatePostgres(folder, initdb, pg_ctl)
    cluster.create()
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):  # already stopped
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
