"""What an operator sees (issue #14 point 2): every log line of a transaction carries its
three ids, a failed RReq is a warning naming the DS URL and the error, and /metrics counts
decisions, OTPs, phone wake-ups, RReq attempts and shows the outbox and open challenges."""

from __future__ import annotations

import io
import json
import logging

import pytest

from acs.logs import LogOptions, configure_logging, stop_logging
from acs.web.keys import HUB, SENDER
from tests.areqs import areq
from tests.challenge.conftest import CODE
from tests.challenge.helpers import SECURPASS_CARD, creq_for, encode, start
from tests.challenge.results_helpers import eventually, outbox_of, stop_workers
from tests.challenge.test_results import cancelled_challenge
from tests.metrics_text import sample, scrape

IDS = ("threeDSServerTransID", "dsTransID", "acsTransID")


@pytest.fixture
def json_log():
    """The ``acs`` loggers as ``acs serve`` sets them up (queue, JSON); the lines written."""
    stream = io.StringIO()
    configure_logging(LogOptions("INFO", "json"), stream=stream)

    def lines() -> list[dict]:
        stop_logging()  # writes what is queued
        written = [json.loads(line) for line in stream.getvalue().splitlines() if line]
        configure_logging(LogOptions("INFO", "json"), stream=stream)
        return written

    yield lines
    stop_logging()


async def test_an_areq_logs_with_its_three_ids(client, json_log):
    """The AReq's decision line carries threeDSServerTransID, dsTransID and acsTransID."""
    message = areq(acctNumber="4970100000000030")
    ares = await (await client.post("/3ds/areq", json=message)).json()
    decided = [line for line in json_log() if line["msg"].startswith("AReq ")]
    assert decided, "no AReq line"
    assert {k: decided[-1].get(k) for k in IDS} == {
        "threeDSServerTransID": message["threeDSServerTransID"],
        "dsTransID": message["dsTransID"],
        "acsTransID": ares["acsTransID"],
    }


async def test_a_failed_rreq_is_a_warning_with_the_ds_url_the_error_and_the_ids(
    client, fake_ds, json_log
):
    """A DS answering 503: one warning per attempt naming the dsURL and http_503, with the
    transaction's three ids; the attempts and the decision are counted."""
    await stop_workers()
    before = await scrape(client)
    fake_ds.fail_next = 1
    acs_trans_id = await cancelled_challenge(client, fake_ds)
    await client.app[SENDER].deliver_due()
    warnings = [line for line in json_log() if line["level"] == "warning"]
    assert len(warnings) == 1
    assert fake_ds.url in warnings[0]["msg"] and "failed: http_503" in warnings[0]["msg"]
    rreq = (await outbox_of(client.app, acs_trans_id))[0].rreq
    assert {k: warnings[0].get(k) for k in IDS} == {k: rreq[k] for k in IDS}
    after = await scrape(client)
    for name, labels in (
        ("acs_rreq_attempts_total", {"outcome": "http_503"}),
        ("acs_decisions_total", {"status": "N", "by": "cancel"}),
        ("acs_otps_sent_total", {}),  # the SMS challenge's code
    ):
        assert sample(after, name, **labels) == sample(before, name, **labels) + 1, name


async def test_outbox_and_open_challenges_are_gauges(client, fake_ds, clock):
    """An undelivered RReq shows as pending with its age; an open challenge is counted."""
    await stop_workers()
    before = await scrape(client)
    fake_ds.fail_next = 10**6
    await cancelled_challenge(client, fake_ds)
    await start(client, fake_ds.url)  # a second challenge, left open
    clock.advance(seconds=30)
    text = await scrape(client)
    assert sample(text, "acs_outbox_rows", state="pending") == 1
    assert sample(text, "acs_outbox_oldest_pending_seconds") >= 30
    assert sample(text, "acs_challenges_open") == sample(before, "acs_challenges_open") + 1
    assert sample(text, "acs_database_up") == 1


async def test_a_phone_wake_up_is_counted(client, fake_ds, camille):
    """A Sécur'Pass challenge tells the phone (its event stream; push when it has a token)."""
    before = await scrape(client)
    areq_msg, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD)
    await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    operation = await camille.next_operation(timeout=5)
    await camille.approve_with_code(operation, CODE)
    await client.app[HUB].publish("outbox")
    await eventually(lambda: _delivered(client, ares["acsTransID"]))
    after = await scrape(client)
    woken = sample(after, "acs_phone_wakeups_total") - sample(before, "acs_phone_wakeups_total")
    assert woken >= 1
    approved = {"status": "Y", "by": "phone"}
    assert sample(after, "acs_decisions_total", **approved) == (
        sample(before, "acs_decisions_total", **approved) + 1
    )


async def _delivered(client, acs_trans_id: str) -> bool:
    row, _ = await outbox_of(client.app, acs_trans_id)
    return row is not None and row.state == "delivered"


def test_hostile_ids_are_not_bound():
    """Only string ids of id length are bound: a 10 kB or non-string value is left out."""
    from acs.logs import _ids as bound
    from acs.logs import bind, bind_ids

    with bind():
        bind_ids({"threeDSServerTransID": "x" * 10_000, "dsTransID": 7, "acsTransID": "a-1"})
        assert dict(bound.get()) == {"acsTransID": "a-1"}
    logging.getLogger("acs").handlers[:] = []
