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


@pytest.mark.parametrize("portable", [False, True], ids=["driver", "portable"])
async def test_card_read_brings_the_method_data_along(client, portable):
    """With the 3DS Method run named, the driver store reads the card, the run's fingerprint
    and whether the customer knows it in one statement (no round trip for the two questions
    that follow); both stores give the same answers, for a known and an unknown browser."""
    from datetime import timedelta

    from acs.storage import method_data

    app = client.app
    now = app[CLOCK].now()
    pan_hmac = app[VAULT].lookup_key(SMS_CARD)
    async with app[SESSIONS].begin() as session:
        for run, fingerprint in (("run-known", "fp-known"), ("run-new", "fp-new")):
            await method_data.put(session, run, fingerprint=fingerprint, device={}, now=now,
                                  ttl=timedelta(minutes=10))  # fmt: skip
    stores = AReqStores(app[ENGINE], app[SESSIONS], portable=portable)
    async with stores.open() as store:
        customer_id = (await store.card_view(pan_hmac)).customer_id
    async with app[SESSIONS].begin() as session:
        await method_data.remember_browser(session, customer_id, "fp-known", now=now)
    seen = []
    for run, expected in (("run-known", ("fp-known", True)), ("run-new", ("fp-new", False)),
                          ("run-gone", (None, None))):  # fmt: skip
        async with stores.open() as store:
            card = await store.card_view(pan_hmac, method_run=(run, now))
            assert card is not None and card.customer_id == customer_id
            if not isinstance(store, SessionStore):  # every answer below is already read
                store._fetchrow = None  # type: ignore[attr-defined]
            fingerprint = await store.method_fingerprint(run, now)
            known = await store.browser_known(customer_id, fingerprint) if fingerprint else None
            seen.append((fingerprint, known))
        assert seen[-1] == expected
