"""The DS down, then up (issue 12): refusing connections, answering 503 or black-holing
while results wait; once it is back each is delivered, within the retry schedule."""

from __future__ import annotations

import pytest

from benchmarks.faults.edge import DsMode
from benchmarks.faults.scenarios import ds_outage
from tests.faults.conftest import CHALLENGES, SEED

SLACK_S = 2.5  # one read timeout (1 s) of an attempt in flight, plus a worker round


@pytest.mark.parametrize("mode", [DsMode.REFUSE, DsMode.ERROR, DsMode.BLACKHOLE])
async def test_results_wait_out_a_ds_outage_and_are_delivered_once(
    database_url, keys_dir, tmp_path, mode
):
    """Decisions taken while the DS is down are retried (none delivered meanwhile), then each
    reaches it once it is back, no later than the next retry the outbox had scheduled (plus a
    read timeout); none lost, none given up, duplicates reported."""
    figures = await ds_outage(
        database_url=database_url, keys_dir=keys_dir, workdir=tmp_path, mode=mode,
        challenges=CHALLENGES, seed=SEED, outage_s=1.0, settle_timeout=120,
    )  # fmt: skip
    settled = figures.settled
    print(f"\n{figures}")
    assert figures.delivered_during == 0
    if mode is not DsMode.REFUSE:
        assert figures.tried_during >= CHALLENGES  # each was tried while the DS was down
    assert figures.failed == 0
    assert settled.lost == 0 and settled.undecided == 0
    assert settled.decided == settled.results == settled.delivered == CHALLENGES
    assert figures.recovery_s <= max(figures.due_s, 0.0) + SLACK_S
