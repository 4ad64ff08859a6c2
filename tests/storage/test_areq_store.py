"""The AReq store behind the flow: the driver store (asyncpg, aiosqlite) and the portable
session store give the same answers and store the same rows, on this run's database."""

from __future__ import annotations

import asyncio

import pytest

from acs.flows.areq.authenticate import authenticate
from acs.protocol import validate_incoming
from acs.protocol.codes import MessageType
from acs.storage import transactions
from acs.storage.areq_store import AReqStores, SessionStore
from acs.web.keys import CLOCK, ENGINE, KEYRING, SESSIONS, SETTINGS, VAULT
from tests.areqs import areq
from tests.test_areq import FRAUD_CARD, SMS_CARD, UNKNOWN_IN_RANGE

pytestmark = pytest.mark.usefixtures("demo_data")


async def _answer(app, stores: AReqStores, message: dict) -> dict:
    version = validate_incoming(message, expected=MessageType.AREQ)
    async with stores.open() as store:
        return await authenticate(
            message, version, store=store, settings=app[SETTINGS], keys=app[KEYRING],
            vault=app[VAULT], clock=app[CLOCK],
        )  # fmt: skip


@pytest.mark.parametrize("portable", [False, True], ids=["driver", "portable"])
async def test_both_stores_decide_and_store_alike(client, portable):
    """Eight simultaneous 5 EUR AReqs on one card (five exempted, RTS Art. 16), a refused
    card and an unknown one: the same answers through either store, every row stored."""
    app = client.app
    stores = AReqStores(app[ENGINE], app[SESSIONS], portable=portable)
    async with stores.open() as store:
        assert isinstance(store, SessionStore) is (portable or app[ENGINE].dialect.driver
                                                    not in ("asyncpg", "aiosqlite"))  # fmt: skip
    low_value = [areq(acctNumber=SMS_CARD, purchaseAmount="500") for _ in range(8)]
    answers = await asyncio.gather(*(_answer(app, stores, m) for m in low_value))
    assert sorted(a["transStatus"] for a in answers) == ["C"] * 3 + ["Y"] * 5
    fraud = await _answer(app, stores, areq(acctNumber=FRAUD_CARD))
    unknown = await _answer(app, stores, areq(acctNumber=UNKNOWN_IN_RANGE))
    assert (fraud["transStatus"], fraud["transStatusReason"]) == ("N", "11")
    assert (unknown["transStatus"], unknown["transStatusReason"]) == ("N", "08")
    async with app[SESSIONS]() as session:
        for ares in [*answers, fraud, unknown]:
            row = await transactions.get(session, ares["acsTransID"])
            assert row is not None and row.trans_status == ares["transStatus"]
            assert row.authentication_value == ares.get("authenticationValue")
        assert await transactions.count(session) == 10
