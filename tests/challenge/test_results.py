"""Results (§5): the RReq is written with the decision and delivered exactly once, whatever
fails: a DS answering 503, a sender dying mid-flight, a restart, two senders racing."""

from __future__ import annotations

import asyncio

from acs.flows.challenge import browser as flow
from acs.flows.results import Sender
from acs.storage import outbox
from acs.web import create_app
from acs.web.challenge import result_keys
from acs.web.keys import CLOCK, HUB, SENDER, SESSIONS
from tests.challenge.helpers import SMS_CARD, creq_for, encode, start
from tests.challenge.results_helpers import eventually, outbox_of, stop_workers


async def cancelled_challenge(client, fake_ds) -> str:
    """A browser SMS challenge cancelled in the database (no page round trip)."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    app = client.app
    async with app[SESSIONS].begin() as session:
        await flow.cancel(session, ares["acsTransID"], ctx=result_keys(app), now=app[CLOCK].now())
    return ares["acsTransID"]


async def test_a_503_is_retried_at_once_then_every_10_seconds(client, fake_ds, clock):
    """503, immediate retry 503, then +10 s 503, +10 s RRes: four recorded attempts, one RReq."""
    fake_ds.fail_next = 3
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    await client.app[HUB].publish("outbox")

    async def attempts(n):
        return len((await outbox_of(client.app, acs_trans_id))[1]) >= n

    await eventually(lambda: attempts(2))
    row, tried = await outbox_of(client.app, acs_trans_id)
    assert [a.outcome for a in tried] == ["http_503", "http_503"]
    assert (row.next_attempt_at - clock.now()).total_seconds() == 10
    for expected in (3, 4):
        clock.advance(seconds=10)
        await client.app[HUB].publish("outbox")
        await eventually(lambda expected=expected: attempts(expected))
    row, tried = await outbox_of(client.app, acs_trans_id)
    assert row.state == "delivered" and row.results_status == "01"
    assert [a.outcome for a in tried][-1] == "rres_01"
    assert len(fake_ds.for_trans(acs_trans_id)) == 1


async def test_a_sender_dying_before_the_post_leaves_the_row_to_the_next(
    aiohttp_client, client, fake_ds, clock, settings, keyring
):
    """A claim whose sender dies keeps its lease; after it runs out a restarted app delivers."""
    await stop_workers()
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    async with client.app[SESSIONS].begin() as session:
        claimed = await outbox.claim_due(
            session, worker="dead", now=clock.now(), lease=Sender.LEASE
        )
    assert [r.acs_trans_id for r in claimed] == [acs_trans_id]
    restarted = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
    assert await restarted.app[SENDER].deliver_due() == 0  # still leased
    clock.advance(seconds=31)
    assert await restarted.app[SENDER].deliver_due() in (0, 1)  # the worker may win the race
    await eventually(lambda: _delivered(restarted.app, acs_trans_id))
    assert len(fake_ds.for_trans(acs_trans_id)) == 1


async def test_a_sender_dying_after_the_post_is_not_a_second_result(
    aiohttp_client, client, fake_ds, clock, settings, keyring
):
    """The DS got the RReq but the sender died before recording: the retry meets Erro 312,
    which counts as delivered; the DS holds one RReq."""
    await stop_workers()
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    row, _ = await outbox_of(client.app, acs_trans_id)
    async with client.app[SESSIONS].begin() as session:
        await outbox.claim_due(session, worker="dead", now=clock.now(), lease=Sender.LEASE)
    await client.app[SENDER].http.post(fake_ds.url, json=row.rreq)  # the dead sender posted
    clock.advance(seconds=31)
    restarted = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
    await eventually(lambda: _delivered(restarted.app, acs_trans_id))
    _, tried = await outbox_of(restarted.app, acs_trans_id)
    assert tried[-1].outcome == "erro_312"
    assert len(fake_ds.for_trans(acs_trans_id)) == 1 and len(fake_ds.duplicates) == 1


async def test_a_delivered_row_is_never_sent_again_after_a_restart(
    aiohttp_client, client, fake_ds, clock, settings, keyring
):
    """After the RRes is recorded, restarts and later rounds send nothing more."""
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    await client.app[HUB].publish("outbox")
    await eventually(lambda: _delivered(client.app, acs_trans_id))
    await stop_workers()
    clock.advance(minutes=5)
    restarted = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
    assert await restarted.app[SENDER].deliver_due() == 0
    assert len(fake_ds.for_trans(acs_trans_id)) == 1 and not fake_ds.duplicates


async def test_two_senders_racing_claim_a_row_once(client, fake_ds, clock):
    """Two senders of two processes ask for due rows at once: one attempt, one RReq."""
    await stop_workers()
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    app = client.app
    first = app[SENDER]
    second = Sender(
        sessions=app[SESSIONS], settings=first.settings, clock=clock,
        publish=app[HUB].publish, http=first.http,
    )  # fmt: skip
    counts = await asyncio.gather(first.deliver_due(), second.deliver_due())
    assert sorted(counts) == [0, 1]
    _, tried = await outbox_of(app, acs_trans_id)
    assert len(tried) == 1 and len(fake_ds.for_trans(acs_trans_id)) == 1


async def test_a_bad_rres_is_a_failed_attempt(client, fake_ds, monkeypatch):
    """An RRes naming another transaction is refused and the RReq is retried (the DS, which
    did get the first one, then answers 312: delivered)."""
    from tests.challenge import fake_ds as module

    real = module.rres_for
    monkeypatch.setattr(module, "rres_for", lambda m: {**real(m), "dsTransID": m["acsTransID"]})
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    await client.app[HUB].publish("outbox")

    async def failed_twice():
        return len((await outbox_of(client.app, acs_trans_id))[1]) >= 2

    await eventually(failed_twice)
    _, tried = await outbox_of(client.app, acs_trans_id)
    assert [a.outcome for a in tried[:2]] == ["invalid_rres", "erro_312"]
    assert tried[0].detail == "dsTransID"


async def _delivered(app, acs_trans_id) -> bool:
    row, _ = await outbox_of(app, acs_trans_id)
    return row is not None and row.state == "delivered"


def test_retry_pace_follows_the_reference_then_backs_off():
    """§5: at once, then every 10 s for a minute; then doubling up to 10 minutes, never dropped."""
    from acs.config import Settings
    from acs.flows.results import retry_delay

    settings = Settings()
    delays = [retry_delay(n, settings) for n in range(1, 14)]
    assert delays[:7] == [0, 10, 10, 10, 10, 10, 10]
    assert delays[7:] == [20, 40, 80, 160, 320, 600]


async def test_the_worker_purges_used_nonces_past_their_window(client, clock):
    """Used signed-call nonces are forgotten by the worker's housekeeping once their window
    has closed (the timestamp check refuses such calls by itself), never one still open."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from acs.storage import securpass
    from acs.storage.securpass_models import RequestNonceRow
    from acs.web.challenge_worker import run_once

    await stop_workers()
    now = clock.now()
    async with client.app[SESSIONS].begin() as session:
        for nonce, ttl in (("old", 1), ("open", 10)):
            await securpass.remember_nonce(
                session, device_id="dev-1", nonce=nonce, expires_at=now + timedelta(minutes=ttl)
            )
    clock.advance(minutes=2)
    await run_once(client.app)
    async with client.app[SESSIONS]() as session:
        left = await session.scalars(select(RequestNonceRow.nonce))
        assert list(left) == ["open"]
        assert await session.scalar(select(func.count()).select_from(RequestNonceRow)) == 1
