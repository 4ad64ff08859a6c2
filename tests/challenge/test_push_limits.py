"""Push bombing (issue 12 point 5): at most ``max_pending_operations`` pending and
``max_operations_per_10_minutes`` created per customer; beyond, the challenge falls back to the
SMS code or ends N / 19, and the phone is not woken (no push, no operation row); a decoupled
AReq gets that answer at AReq time, never an ARes D."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from acs.config import Settings
from acs.flows.areq.authenticate import authenticate
from acs.storage import challenges
from acs.storage.areq_store import AReqStores
from acs.storage.models import Transaction
from acs.storage.securpass_models import OperationRow
from acs.web.keys import CLOCK, ENGINE, KEYRING, PUSH, SESSIONS, SETTINGS, SMS, VAULT
from tests.areqs import areq
from tests.challenge.helpers import SECURPASS_CARD, creq_for, encode, final_cres, start
from tests.challenge.test_decoupled import DECOUPLED
from tests.challenge.test_securpass import oob_page, status_then_final
from tests.phones import CAMILLE, CAMILLE_MOBILE


@pytest.fixture
def limits() -> dict[str, object]:
    return {}


@pytest.fixture
def settings(settings: Settings, limits: dict[str, object]) -> Settings:
    return dataclasses.replace(settings, **limits)


async def one_more(client, fake_ds):
    """Open one more browser challenge for Camille; the AReq's answer and the page."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD)
    assert ares["transStatus"] == "C"
    response = await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    assert response.status == 200
    return ares, await response.text()


async def operations_of(client) -> int:
    async with client.app[SESSIONS]() as session:
        count = select(func.count()).where(OperationRow.customer_id == CAMILLE)
        return int(await session.scalar(count.select_from(OperationRow)) or 0)


@pytest.mark.parametrize("limits", [dict(max_pending_operations=2, push_limit_action="sms")])
async def test_the_third_pending_operation_falls_back_to_sms(client, fake_ds, camille):
    """Two operations pending: the third challenge sends the SMS code, no push, no operation."""
    for _ in range(2):
        await oob_page(client, fake_ds)
    assert len(client.app[PUSH].sent) == 2 and await operations_of(client) == 2
    _, page = await one_more(client, fake_ds)
    assert 'name="code"' in page
    texts = await client.app[SMS].wait_for(CAMILLE_MOBILE, 2)  # the activation code, then this
    assert len(texts) == 2 and "41,99" in texts[-1].text
    assert len(client.app[PUSH].sent) == 2 and await operations_of(client) == 2


@pytest.mark.parametrize("limits", [dict(max_pending_operations=2, push_limit_action="refuse")])
async def test_the_third_pending_operation_is_refused_with_reason_19(client, fake_ds, camille):
    """``refuse``: the third challenge ends at once, CRes N and RReq N / 19; the phone is not
    woken."""
    for _ in range(2):
        await oob_page(client, fake_ds)
    ares, page = await one_more(client, fake_ds)
    assert final_cres(await status_then_final(client, page))["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"]) == ("N", "19")
    assert len(client.app[PUSH].sent) == 2 and await operations_of(client) == 2


@pytest.mark.parametrize(
    "limits",
    [dict(max_pending_operations=5, max_operations_per_10_minutes=2, push_limit_action="refuse")],
)
async def test_the_ten_minute_window_resets(client, fake_ds, camille, clock):
    """Two operations decided: a third within 10 minutes is refused; 10 minutes later one is
    allowed again and pushed."""
    for _ in range(2):
        await oob_page(client, fake_ds)
        challenge = await camille.next_operation(timeout=5)
        await camille.refuse(challenge, "cancelled")
    _, page = await one_more(client, fake_ds)
    assert final_cres(await status_then_final(client, page))["transStatus"] == "N"
    assert len(client.app[PUSH].sent) == 2
    clock.advance(minutes=10, seconds=1)
    await oob_page(client, fake_ds)
    assert len(client.app[PUSH].sent) == 3 and await operations_of(client) == 3


async def transactions_of(client) -> list[tuple[str, str | None]]:
    """(transStatus, reason) of every stored transaction."""
    async with client.app[SESSIONS]() as session:
        query = select(Transaction.trans_status, Transaction.trans_status_reason)
        return [(status, reason) for status, reason in await session.execute(query)]


@pytest.mark.parametrize("channel", ["browser", "3ri"])
@pytest.mark.parametrize("limits", [dict(max_pending_operations=1, push_limit_action="refuse")])
async def test_a_decoupled_areq_over_the_limit_is_refused_at_once(
    client, fake_ds, camille, channel
):
    """``refuse``: a decoupled AReq with one operation already pending is answered ARes N / 19
    (no ARes D, no operation, no push, no challenge left to time out, no RReq)."""
    await oob_page(client, fake_ds)
    _, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, channel=channel, **DECOUPLED)
    assert (ares["transStatus"], ares["transStatusReason"]) == ("N", "19")
    assert "acsDecConInd" not in ares
    # The D that was rolled back left no row: the pending C and this N.
    assert sorted(await transactions_of(client)) == [("C", None), ("N", "19")]
    assert len(client.app[PUSH].sent) == 1 and await operations_of(client) == 1
    async with client.app[SESSIONS]() as session:
        assert await challenges.get(session, ares["acsTransID"]) is None
    assert not fake_ds.for_trans(ares["acsTransID"])


@pytest.mark.parametrize("limits", [dict(max_pending_operations=1, push_limit_action="sms")])
async def test_a_decoupled_areq_over_the_limit_falls_back_to_the_sms_code(client, fake_ds, camille):
    """``sms``: a decoupled browser AReq over the limit is answered ARes C with the SMS code
    (the phone is not woken); a 3RI one, which cannot be challenged, N / 19."""
    await oob_page(client, fake_ds)
    areq_msg, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **DECOUPLED)
    assert ares["transStatus"] == "C"
    response = await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    assert 'name="code"' in await response.text()
    _, three_ri = await start(client, fake_ds.url, pan=SECURPASS_CARD, channel="3ri", **DECOUPLED)
    assert (three_ri["transStatus"], three_ri["transStatusReason"]) == ("N", "19")
    assert len(client.app[PUSH].sent) == 1 and await operations_of(client) == 1


@pytest.mark.parametrize("limits", [dict(max_pending_operations=1, push_limit_action="refuse")])
async def test_the_portable_store_rolls_the_refused_d_back_too(client, fake_ds, camille):
    """Through the portable session store (a savepoint in the caller's transaction) the
    decoupled AReq over the limit is N / 19 and leaves one row, as through the driver stores."""
    await oob_page(client, fake_ds)
    app = client.app
    message = areq("2.2.0", "browser", "pa", acctNumber=SECURPASS_CARD, dsURL=fake_ds.url)
    message.update(DECOUPLED)
    stores = AReqStores(app[ENGINE], app[SESSIONS], portable=True)
    async with stores.open() as store:
        ares = await authenticate(
            message, "2.2.0", store=store, settings=app[SETTINGS], keys=app[KEYRING],
            vault=app[VAULT], clock=app[CLOCK],
        )  # fmt: skip
    assert (ares["transStatus"], ares["transStatusReason"]) == ("N", "19")
    assert sorted(await transactions_of(client)) == [("C", None), ("N", "19")]
