"""`acs worker`, the results worker in a process of its own: it delivers the RReqs the HTTP
processes left in the outbox, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.challenge.results_helpers import outbox_of, stop_workers
from tests.challenge.test_results import cancelled_challenge


async def test_acs_worker_delivers_what_the_http_processes_left(client, fake_ds, settings):
    """A decided challenge whose RReq was never sent (no results worker in the app): a
    separate `acs worker` process delivers it, then exits 0 on SIGTERM."""
    await stop_workers()  # this app's own worker: the RReq must come from the other process
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    row, _ = await outbox_of(client.app, acs_trans_id)
    assert row.state == "pending" and not fake_ds.for_trans(acs_trans_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACS_", "PROMETHEUS_"))}
    env |= {
        "ACS_DATABASE_URL": settings.database_url,
        "ACS_KEYS_DIR": settings.keys_dir,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "acs.cli", "--log-format", "text", "worker",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        rreq = await fake_ds.wait_for(acs_trans_id, timeout=30)
        assert rreq["transStatus"] == "N"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(worker.communicate(), 20)
    assert worker.returncode == 0, err.decode()
    assert "results worker ready" in err.decode()
    row, _ = await outbox_of(client.app, acs_trans_id)
    assert row.state == "delivered"
