"""The callbacks to the bank's back end: signed (HMAC-SHA-256, Banxo-Signature), retried
through the leased outbox until taken, exactly one per operation."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from acs.flows.banking.callbacks import EVENT_HEADER, SIGNATURE_HEADER, sign, verify_signature
from acs.storage.banking_models import BankingCallbackRow
from acs.web.banking import run_once
from acs.web.keys import SESSIONS
from tests.banking.conftest import CODE, SECRET, VALID, wait_status


async def callback_rows(app) -> list[BankingCallbackRow]:
    async with app[SESSIONS]() as session:
        return list(await session.scalars(select(BankingCallbackRow)))


async def settled_row(app, *, attempts: int) -> BankingCallbackRow:
    """The one callback row once its ``attempts``-th attempt is recorded (no lease held): the
    bank sees a POST before the sender commits its outcome."""
    for _ in range(100):
        [row] = await callback_rows(app)
        if row.attempts == attempts and row.lease_owner is None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"attempt {attempts} never recorded: {row.attempts}, {row.state}")


async def approve(api, camille, kind: str = "transfer") -> str:
    created = await api.create(kind, **VALID[kind])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    await camille.approve_with_code(challenge, CODE)
    return created["operation_id"]


async def test_the_callback_is_signed_over_its_raw_body(api, camille, bank, clock):
    """The bank verifies Banxo-Signature (HMAC-SHA-256 over "<t>." + the raw body) with the
    shared secret; Banxo-Event-Id is the operation id; another secret or body fails."""
    operation_id = await approve(api, camille)
    callback = await bank.wait_for(operation_id)
    header = callback.headers[SIGNATURE_HEADER]
    assert callback.headers[EVENT_HEADER] == operation_id
    assert verify_signature(header, callback.body, secret=SECRET, now=clock.now())
    assert not verify_signature(header, callback.body, secret="another", now=clock.now())
    assert not verify_signature(header, callback.body + b" ", secret=SECRET, now=clock.now())
    body = callback.json()
    assert body["status"] == "approved" and body["summary_hash"]
    assert "summary" not in body  # the hash binds it; the bank has the summary it sent


def test_an_old_signature_is_refused_as_a_replay(clock):
    """A callback signed more than five minutes ago does not verify (replay)."""
    old = int(clock.now().timestamp()) - 301
    header = sign(b"{}", secret=SECRET, timestamp=old)
    assert not verify_signature(header, b"{}", secret=SECRET, now=clock.now())
    assert not verify_signature("t=x,v1=00", b"{}", secret=SECRET, now=clock.now())


async def test_a_refused_callback_is_retried_until_the_bank_takes_it(
    app, api, camille, bank, clock
):
    """The bank answers 503 twice: the callback is retried at once, then after
    callback_retry_seconds, and delivered once; every attempt is counted on its row."""
    bank.fail_next = 2
    operation_id = await approve(api, camille)
    await bank.wait_refused(2)
    assert bank.for_operation(operation_id) == []
    row = await settled_row(app, attempts=2)
    assert row.state == "pending" and row.last_error == "http_503"
    clock.advance(seconds=11)
    await run_once(app)
    callback = await bank.wait_for(operation_id)
    assert callback.json()["status"] == "approved"
    row = await settled_row(app, attempts=3)
    assert row.state == "delivered"
    assert len(bank.for_operation(operation_id)) == 1


async def test_an_unreachable_bank_is_given_up_after_the_configured_hours(
    app, api, camille, bank, clock, settings
):
    """A bank that never takes it: the callback is marked failed after
    callback_give_up_hours, and not retried any more."""
    bank.fail_next = 10_000
    await approve(api, camille)
    await bank.wait_refused(2)
    await settled_row(app, attempts=2)
    clock.advance(hours=settings.banking.callback_give_up_hours, seconds=1)
    await run_once(app)
    row = await settled_row(app, attempts=3)
    assert row.state == "failed"
    refused = len(bank.refused)
    clock.advance(hours=1)
    await run_once(app)
    assert len(bank.refused) == refused


async def test_exactly_one_decision_when_the_bank_cancels_as_the_phone_approves(
    app, api, camille, bank
):
    """The bank's cancel and the phone's approval race: one of them wins, the other is
    refused; one callback, saying what won."""
    created = await api.create("transfer", **VALID["transfer"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    phone, cancel = await asyncio.gather(
        camille.approve_with_code(challenge, CODE), api.cancel(created["operation_id"]),
        return_exceptions=True,
    )  # fmt: skip
    view = await api.status(created["operation_id"])
    assert view["status"] in ("approved", "cancelled")
    cancelled = cancel[0] == 200
    assert cancelled == (view["status"] == "cancelled")
    assert isinstance(phone, Exception) == cancelled
    callback = await bank.wait_for(created["operation_id"])
    assert callback.json()["status"] == view["status"]
    async with app[SESSIONS]() as session:
        count = await session.scalar(select(func.count()).select_from(BankingCallbackRow))
    assert count == 1


async def test_no_callback_without_a_callback_url(app, api, camille):
    """An operation created without callback_url is read through the status only."""
    created = await api.create("login", callback=False, **VALID["login"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    await camille.approve_with_code(challenge, CODE)
    await wait_status(api, created["operation_id"], "approved")
    assert await callback_rows(app) == []
