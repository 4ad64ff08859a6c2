"""``acs serve`` as a subprocess that can be killed with SIGKILL and started again on its port.

Asynchronous throughout: the harness's event loop also runs the DS and the cardholders, which
must keep answering while an ACS starts or dies. The process runs in a session of its own, so
a kill reaches every worker of ``--workers N`` and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

import aiohttp

from benchmarks.servers import REPO, acs_command, acs_env, free_port

__all__ = ["AcsProcess", "write_config"]


def write_config(path: Path, **values: object) -> Path:
    """A TOML config of top-level scalar keys (``results_retry_seconds = 0.5`` …)."""
    lines = [f"{key} = {_toml(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class AcsProcess:
    """One ``acs serve`` on a fixed port: :meth:`start`, :meth:`kill` (SIGKILL), :meth:`stop`."""

    def __init__(
        self, *, database_url: str, keys_dir: Path, config: Path, log: Path, workers: int = 1
    ) -> None:
        self.port = free_port()
        self._env = acs_env(database_url, keys_dir)
        self._config, self._log, self._workers = config, log, workers
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> float:
        """Start and wait for ``/healthz``; the seconds it took (migrations included)."""
        started = time.monotonic()
        argv = [*acs_command(), "--config", str(self._config), "serve",
                "--port", str(self.port), "--workers", str(self._workers)]  # fmt: skip
        with self._log.open("ab") as out:
            self._process = await asyncio.create_subprocess_exec(
                *argv, env=self._env, cwd=REPO, stdout=out, stderr=out, start_new_session=True
            )
        self.starts += 1
        await self._ready(started + timeout)
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL to the whole process group: no cleanup, no goodbye, as a power cut."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)

    async def wait_dead(self) -> None:
        if self._process is not None:
            await self._process.wait()

    async def stop(self) -> None:
        if self._process is None or self._process.returncode is not None:
            return
        for sig, seconds in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self._process.pid, sig)
            except ProcessLookupError:
                return
            try:
                await asyncio.wait_for(self._process.wait(), seconds)
                return
            except TimeoutError:
                continue

    async def _ready(self, deadline: float) -> None:
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self._process is not None
                if self._process.returncode is not None:
                    raise RuntimeError(
                        f"acs serve exited ({self._process.returncode}); see {self._log}"
                    )
                try:
                    async with http.get(
                        f"{self.base_url}/healthz", timeout=aiohttp.ClientTimeout(total=1)
                    ) as r:
                        if r.status == 200:
                            return
                except (aiohttp.ClientError, OSError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        await self.stop()
        raise RuntimeError(f"acs serve not ready in time; see {self._log}")
