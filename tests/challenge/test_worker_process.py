"""`acs worker`, the results worker in a process of its own: it delivers the RReqs the HTTP
processes left in the outbox, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.challenge.results_helpers import eventually, outbox_of, stop_workers
from tests.challenge.test_results import cancelled_challenge
from tests.metrics_text import sample


def worker_env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACS_", "PROMETHEUS_"))}
    return env | {
        "ACS_DATABASE_URL": settings.database_url,
        "ACS_KEYS_DIR": settings.keys_dir,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }


async def start_worker(settings, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "acs.cli", "--log-format", "text", "worker", *args,
        env=worker_env(settings), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop(worker: asyncio.subprocess.Process) -> str:
    worker.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(worker.communicate(), 20)
    assert worker.returncode == 0, err.decode()
    return err.decode()


async def test_acs_worker_delivers_what_the_http_processes_left(client, fake_ds, settings):
    """A decided challenge whose RReq was never sent (no results worker in the app): a
    separate `acs worker` process delivers it, then exits 0 on SIGTERM."""
    await stop_workers()  # this app's own worker: the RReq must come from the other process
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    row, _ = await outbox_of(client.app, acs_trans_id)
    assert row.state == "pending" and not fake_ds.for_trans(acs_trans_id)
    worker = await start_worker(settings, "--metrics-port", "0")
    try:
        rreq = await fake_ds.wait_for(acs_trans_id, timeout=30)
        assert rreq["transStatus"] == "N"
        await eventually(lambda: _delivered(client.app, acs_trans_id), timeout=10)
        url = await _line(worker, r"metrics on (http://\S+)")
        async with aiohttp.ClientSession() as http, http.get(url[1]) as answer:
            text = await answer.text()
        assert sample(text, "acs_rreq_attempts_total", outcome="rres_01") >= 1
        assert sample(text, "acs_database_up") == 1
    finally:
        err = await stop(worker)
    assert "results worker ready" in err


@pytest.mark.postgres_only
async def test_two_acs_workers_share_the_outbox(client, fake_ds, settings, db_kind):
    """Two `acs worker` processes on one PostgreSQL: twenty waiting RReqs, each sent once,
    some by each worker (the outbox leases share the rows)."""
    if db_kind != "postgres":
        pytest.skip("several results workers are a PostgreSQL deployment")
    await stop_workers()
    workers = [await start_worker(settings) for _ in range(2)]
    try:
        for worker in workers:
            await _ready(worker)
        fake_ds.delay = 1.0  # a round of ten takes a second: the other worker claims meanwhile
        waiting = [await cancelled_challenge(client, fake_ds) for _ in range(20)]
        for acs_trans_id in waiting:
            await fake_ds.wait_for(acs_trans_id, timeout=30)
    finally:
        logs = [await stop(worker) for worker in workers]
    assert sorted(m["acsTransID"] for m in fake_ds.rreqs) == sorted(waiting)
    assert fake_ds.duplicates == []
    assert all(": rres_01" in log for log in logs), "one worker sent nothing"


async def _line(worker: asyncio.subprocess.Process, pattern: str) -> re.Match[str]:
    """The first line of the worker's log matching ``pattern`` (within 30 s)."""
    assert worker.stderr is not None
    async with asyncio.timeout(30):
        while not (found := re.search(pattern, (await worker.stderr.readline()).decode())):
            pass
    return found


async def _ready(worker: asyncio.subprocess.Process) -> None:
    await _line(worker, "results worker ready")


async def _delivered(app, acs_trans_id: str) -> bool:
    row, _ = await outbox_of(app, acs_trans_id)
    return row.state == "delivered"
