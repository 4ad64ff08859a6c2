"""Results hardening (issue 12, points 10 and 11): a short lease renewed in flight, re-sends
after a crash logged and counted, and a result given up after ``results_give_up_hours``."""

from __future__ import annotations

import asyncio
import logging

from acs.flows.results import Sender, _read_rres
from acs.storage import outbox
from acs.web import create_app
from acs.web.keys import SENDER, SESSIONS
from tests.challenge.results_helpers import eventually, outbox_of, stop_workers
from tests.challenge.test_results import cancelled_challenge
from tests.metrics_text import sample, scrape

LOGGER = "acs.flows.results"


async def test_a_slow_ds_does_not_lose_the_lease_of_a_live_sender(
    client, fake_ds, clock, monkeypatch
):
    """While an RReq is on the wire its sender renews the lease: past the first lease's end a
    second sender finds nothing to claim, and the DS gets one RReq."""
    monkeypatch.setattr(Sender, "RENEW_EVERY", 0.05)
    await stop_workers()
    fake_ds.delay = 0.8
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    app, first = client.app, client.app[SENDER]
    flight = asyncio.create_task(first.deliver_due())

    async def claimed() -> bool:
        row, _ = await outbox_of(app, acs_trans_id)
        return row.lease_owner is not None

    await eventually(claimed)
    clock.advance(seconds=30)  # three times the lease
    await asyncio.sleep(0.3)  # renewals run meanwhile, on the advanced clock
    row, _ = await outbox_of(app, acs_trans_id)
    assert row.lease_until > clock.now()
    second = Sender(
        sessions=app[SESSIONS], settings=first.settings, clock=clock,
        publish=first.publish, http=first.http,
    )  # fmt: skip
    assert await second.deliver_due() == 0
    await flight
    row, tried = await outbox_of(app, acs_trans_id)
    assert row.state == "delivered" and len(tried) == 1
    assert len(fake_ds.for_trans(acs_trans_id)) == 1 and not fake_ds.duplicates


async def test_a_re_send_after_a_crash_is_logged_and_counted(
    aiohttp_client, client, fake_ds, clock, settings, keyring, caplog
):
    """A row claimed by a sender that died comes back after the short (10 s) lease; the new
    claim is logged at warning as a re-send, recorded so and counted in /metrics."""
    await stop_workers()
    before = sample(await scrape(client), "acs_results_total", outcome="resent")
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    async with client.app[SESSIONS].begin() as session:
        await outbox.claim_due(session, worker="dead", now=clock.now(), lease=Sender.LEASE)
    restarted = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
    await stop_workers()
    assert await restarted.app[SENDER].deliver_due() == 0  # still leased
    clock.advance(seconds=11)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert await restarted.app[SENDER].deliver_due() == 1
    row, tried = await outbox_of(restarted.app, acs_trans_id)
    assert row.state == "delivered" and row.attempts == 2
    assert [a.outcome for a in tried] == ["rres_01"] and tried[0].detail.startswith("re-sent")
    assert any("re-sent" in r.getMessage() and acs_trans_id in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)  # fmt: skip
    assert sample(await scrape(restarted), "acs_results_total", outcome="resent") == before + 1


async def test_a_first_delivery_is_not_a_re_send(client, fake_ds, caplog):
    """A row delivered on its first claim is neither logged nor counted as a re-send."""
    await stop_workers()
    before = sample(await scrape(client), "acs_results_total", outcome="resent")
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        await client.app[SENDER].deliver_due()
        await eventually(lambda: _state_is(client.app, acs_trans_id, "delivered"))
    _, tried = await outbox_of(client.app, acs_trans_id)
    assert tried[0].detail is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert sample(await scrape(client), "acs_results_total", outcome="resent") == before


def test_only_erro_312_duplicate_message_counts_as_delivered():
    """Erro 312 (duplicate message, Req 430-433) is delivered; Erro 204 (a duplicate *data
    element*) is a failed attempt."""
    rreq = {"acsTransID": "a", "messageVersion": "2.2.0"}
    for code, delivered in (("312", True), ("204", False), ("101", False)):
        body = f'{{"messageType": "Erro", "errorCode": "{code}"}}'.encode()
        assert (_read_rres(body, rreq).results_status is not None) is delivered


async def test_a_hopeless_ds_url_is_given_up_after_the_window(client, fake_ds, clock, caplog):
    """A DS answering 503 for ever: retried until results_give_up_hours (24 h) after the RReq
    was written, then marked failed, logged at warning with the URL, counted, never sent again."""
    await stop_workers()
    given_up = sample(await scrape(client), "acs_results_total", outcome="given_up")
    fake_ds.fail_next = 10**6
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    sender = client.app[SENDER]
    await sender.deliver_due()
    await eventually(lambda: _attempts_at_least(client.app, acs_trans_id, 1))
    clock.advance(hours=23, minutes=59, seconds=50)
    assert await sender.deliver_due() == 1
    row, _ = await outbox_of(client.app, acs_trans_id)
    assert row.state == "pending"
    assert row.next_attempt_at == row.created_at + _hours(24)  # the last try, at the deadline
    clock.advance(seconds=10)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert await sender.deliver_due() == 1
    row, tried = await outbox_of(client.app, acs_trans_id)
    assert row.state == "failed" and row.last_error == "given up after 24 h: http_503"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("given up" in m and fake_ds.url in m for m in warnings)
    clock.advance(hours=1)
    assert await sender.deliver_due() == 0
    assert len((await outbox_of(client.app, acs_trans_id))[1]) == len(tried)
    assert sample(await scrape(client), "acs_results_total", outcome="given_up") == given_up + 1


async def test_a_failure_before_the_window_is_still_retried(client, fake_ds, clock):
    """An RReq failing 23 h after it was written is rescheduled, not given up."""
    await stop_workers()
    fake_ds.fail_next = 2
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    await client.app[SENDER].deliver_due()
    await eventually(lambda: _attempts_at_least(client.app, acs_trans_id, 1))
    clock.advance(hours=23)
    assert await client.app[SENDER].deliver_due() == 1
    assert (await outbox_of(client.app, acs_trans_id))[0].state == "pending"
    clock.advance(hours=1)
    assert await client.app[SENDER].deliver_due() == 1
    assert (await outbox_of(client.app, acs_trans_id))[0].state == "delivered"


def _hours(n: int):
    from datetime import timedelta

    return timedelta(hours=n)


async def _state_is(app, acs_trans_id: str, state: str) -> bool:
    row, _ = await outbox_of(app, acs_trans_id)
    return row is not None and row.state == state


async def _attempts_at_least(app, acs_trans_id: str, n: int) -> bool:
    return len((await outbox_of(app, acs_trans_id))[1]) >= n
