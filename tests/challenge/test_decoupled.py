"""Decoupled authentication (2.2+, §1.8): ARes D at AReq, the phone decides later, one RReq."""

from __future__ import annotations

import pytest

from tests.challenge.conftest import CODE
from tests.challenge.helpers import SECURPASS_CARD, start
from tests.challenge.results_helpers import eventually

DECOUPLED = {"threeDSRequestorDecReqInd": "Y", "threeDSRequestorDecMaxTime": "00005"}


@pytest.mark.parametrize("version", ["2.2.0", "2.3.1"])
@pytest.mark.parametrize("channel", ["browser", "3ri"])
async def test_decoupled_approved_on_the_phone(client, fake_ds, camille, version, channel):
    """D with acsDecConInd Y and the Banxo text; the phone approves; RReq Y, method decoupled."""
    _, ares = await start(
        client, fake_ds.url, version=version, channel=channel, pan=SECURPASS_CARD, **DECOUPLED
    )
    assert (ares["transStatus"], ares["acsDecConInd"]) == ("D", "Y")
    challenge = await camille.next_operation(timeout=5)
    assert challenge["summary"]["payee"] == "showroomprive.com"
    await camille.approve_with_code(challenge, CODE)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert rreq["transStatus"] == "Y" and "interactionCounter" not in rreq
    assert "acsRenderingType" not in rreq
    if version == "2.3.1":
        assert rreq["authenticationMethod"] == ["12"]
    else:
        assert rreq["authenticationType"] == "04"


async def test_decoupled_refused_on_the_phone(client, fake_ds, camille):
    """The phone refuses: RReq N / 01."""
    _, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **DECOUPLED)
    await camille.refuse(await camille.next_operation(timeout=5), "not_me")
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"]) == ("N", "01")


async def test_decoupled_time_runs_out(client, fake_ds, camille, clock):
    """No decision within DecMaxTime (5 min): RReq N / 24 / challengeCancel 03, one only."""
    _, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **DECOUPLED)
    challenge = await camille.next_operation(timeout=5)
    clock.advance(minutes=5, seconds=1)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"], rreq["challengeCancel"]) == (
        "N",
        "24",
        "03",
    )
    from merchant_simulator.phone import PhoneError

    with pytest.raises(PhoneError):
        await camille.approve_with_code(challenge, CODE)
    assert len(fake_ds.for_trans(ares["acsTransID"])) == 1


async def test_the_cap_shortens_a_long_max_time(client, fake_ds, camille, clock):
    """DecMaxTime 7 days is capped at risk.decoupled_max_time_cap_minutes (10)."""
    fields = {**DECOUPLED, "threeDSRequestorDecMaxTime": "10080"}
    _, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **fields)
    await camille.next_operation(timeout=5)
    clock.advance(minutes=9)

    async def nothing_yet():
        return not fake_ds.for_trans(ares["acsTransID"])

    await eventually(nothing_yet)
    clock.advance(minutes=1, seconds=1)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert rreq["transStatusReason"] == "24"


async def test_decoupled_phone_is_told_at_once(client, fake_ds, camille):
    """The AReq's commit wakes the announcer: the phone sees the operation well before the
    worker's idle poll would have found it."""
    import time

    _, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **DECOUPLED)
    started = time.monotonic()
    await camille.next_operation(timeout=5)
    assert time.monotonic() - started < 0.5
    assert ares["transStatus"] == "D"
