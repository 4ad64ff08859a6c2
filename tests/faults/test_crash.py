"""kill -9 of the ACS while browser challenges (SMS OTP, Sécur'Pass) are in flight (issue 12):
after the restart every challenge is decided exactly once and no RReq is lost."""

from __future__ import annotations

import pytest

from benchmarks.faults.scenarios import crash_during_approvals, crash_during_challenges
from tests.faults.conftest import CHALLENGES, KILLS, SEED


@pytest.mark.parametrize("workers", [1, 2])
async def test_kill_9_during_challenges_loses_no_rreq(
    database_url, keys_dir, tmp_path, workers, db_kind
):
    """SIGKILL of every ``acs serve`` process at a seeded random moment while cardholders
    post codes, then a restart on the same port: every cardholder ends with a final CRes equal
    to its RReq, every challenge (orphans of a lost ARes included) has one decision and one
    outbox row, every result reaches the DS: 0 lost; duplicates are reported."""
    if workers > 1 and db_kind == "sqlite":
        pytest.skip("several workers are a PostgreSQL deployment (SQLite: one writer)")
    figures = await crash_during_challenges(
        database_url=database_url, keys_dir=keys_dir, workdir=tmp_path,
        challenges=CHALLENGES, kills=KILLS, seed=SEED, workers=workers, settle_timeout=120,
    )  # fmt: skip
    settled = figures.settled
    print(f"\n{figures}")
    assert figures.failed == 0 and figures.completed == CHALLENGES
    assert figures.mismatched == 0
    assert settled.lost == 0 and settled.undecided == 0
    assert settled.challenges >= CHALLENGES  # one more per ARes that died with the ACS
    assert settled.decided == settled.results == settled.delivered == settled.challenges
    assert len(figures.restart_s) == KILLS


@pytest.mark.parametrize("workers", [1, 2])
async def test_kill_9_during_securpass_approvals_loses_no_rreq(
    database_url, keys_dir, tmp_path, workers, db_kind
):
    """The same with Sécur'Pass: the pages wait while the cardholder's phone approves each
    operation, and every ACS process is killed meanwhile. Every page ends with its CRes (Y: the
    phone approved) equal to its RReq, every challenge has exactly one decision, none is lost;
    an answer repeated because its reply died with the ACS is refused as already decided."""
    if workers > 1 and db_kind == "sqlite":
        pytest.skip("several workers are a PostgreSQL deployment (SQLite: one writer)")
    figures = await crash_during_approvals(
        database_url=database_url, keys_dir=keys_dir, workdir=tmp_path,
        challenges=CHALLENGES, kills=KILLS, seed=SEED, workers=workers, settle_timeout=120,
    )  # fmt: skip
    settled = figures.settled
    print(f"\n{figures}")
    assert figures.failed == 0 and figures.completed == CHALLENGES
    assert figures.approved == CHALLENGES - figures.too_late
    assert figures.mismatched == 0
    assert settled.lost == 0 and settled.undecided == 0
    assert settled.decided == settled.results == settled.delivered == settled.challenges
    assert len(figures.restart_s) == KILLS
