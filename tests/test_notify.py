"""Wake-ups (in-process and PostgreSQL LISTEN/NOTIFY) and the SMS and push gateways."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from acs.notify.hub import Hub
from acs.notify.push import Push, WebhookPush
from acs.notify.sms import OutboxSms, Sms, SmsNotSent, WebhookSms
from acs.storage.engine import make_engine
from acs.storage.notifications import PgWakeups


async def test_publish_wakes_a_local_waiter():
    """A waiter on key K wakes as soon as K is published in the same process."""
    hub = Hub(poll_interval=5)
    waiter = asyncio.create_task(hub.wait("op:1", timeout=5))
    await asyncio.sleep(0)
    assert hub.waiting("op:1") == 1
    await hub.publish("op:1")
    assert await waiter is True
    assert hub.waiting("op:1") == 0


async def test_wait_times_out_and_other_keys_do_not_wake():
    """Publishing another key leaves a waiter asleep until its timeout."""
    hub = Hub(poll_interval=5)
    waiter = asyncio.create_task(hub.wait("op:1", timeout=0.05))
    await asyncio.sleep(0)
    await hub.publish("op:2")
    assert await waiter is False


async def test_without_cross_process_signal_waits_are_capped_by_the_poll_interval():
    """On SQLite a waiter re-reads the database at least every poll_interval."""
    hub = Hub(poll_interval=0.01)
    assert not hub.cross_process
    assert await hub.wait("op:1", timeout=30) is False


async def test_postgres_notify_wakes_a_waiter_in_another_hub(database_url, db_kind):
    """On PostgreSQL a publish from one process (hub) wakes a waiter in another."""
    if db_kind != "postgres":
        pytest.skip("LISTEN/NOTIFY exists only on PostgreSQL")
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    hub_a, hub_b = Hub(PgWakeups(engine_a)), Hub(PgWakeups(engine_b))
    await hub_a.start()
    await hub_b.start()
    try:
        assert hub_b.cross_process
        waiter = asyncio.create_task(hub_b.wait("challenge:x", timeout=5))
        await asyncio.sleep(0.05)
        await hub_a.publish("challenge:x")
        assert await waiter is True
        # Several keys in one publish (one NOTIFY statement): each one's waiter wakes.
        keys = ("challenge:y", "outbox", "device:d1")
        waiters = [asyncio.create_task(hub_b.wait(k, timeout=5)) for k in keys]
        await asyncio.sleep(0.05)
        await hub_a.publish(*keys)
        assert await asyncio.gather(*waiters) == [True, True, True]
    finally:
        await hub_a.stop()
        await hub_b.stop()
        await engine_a.dispose()
        await engine_b.dispose()


def sms(clock, to: str = "+33612345678") -> Sms:
    return Sms(to=to, text="Code 123456", purpose="otp", reference="t1", at=clock.now())


async def test_outbox_keeps_messages_per_number(clock):
    """The dev outbox lets the simulated phone read the texts sent to its number."""
    outbox = OutboxSms()
    await outbox.send(sms(clock))
    await outbox.send(sms(clock, to="+33600000000"))
    assert [m.text for m in outbox.inbox("+33612345678")] == ["Code 123456"]
    assert len(await outbox.wait_for("+33612345678", 1, timeout=1)) == 1


async def test_dev_sms_route_serves_the_outbox(client, clock):
    """GET /dev/sms?to= shows the outbox (only mounted with the outbox gateway)."""
    from acs.web.keys import SMS

    await client.app[SMS].send(sms(clock))
    body = await (await client.get("/dev/sms", params={"to": "+33612345678"})).json()
    assert body["messages"][0]["text"] == "Code 123456"


async def test_dev_sms_inbox_is_a_page_linking_each_customer(client, clock, demo_data):
    """A browser gets HTML: the index links each demo customer's inbox, a number's page shows
    its texts; Accept: application/json gets the same as JSON."""
    from acs.web.keys import SMS

    await client.app[SMS].send(sms(clock))
    html = {"Accept": "text/html,application/xhtml+xml"}
    index = await client.get("/dev/sms", headers=html)
    assert index.content_type == "text/html"
    text = await index.text()
    for number in ("%2B33612345678", "%2B33698765432", "%2B33633334444"):
        assert f'href="/dev/sms?to={number}"' in text
    assert "Camille Martin" in text
    page = await (await client.get("/dev/sms", params={"to": "+33612345678"}, headers=html)).text()
    assert "Code 123456" in page and "<h1>SMS reçus au +33612345678</h1>" in page
    as_json = await client.get("/dev/sms", headers={"Accept": "application/json"})
    inboxes = (await as_json.json())["inboxes"]
    assert {"customer_id": "C0001", "name": "Camille Martin", "to": "+33612345678",
            "messages": 1} in inboxes  # fmt: skip


@pytest.fixture
async def provider(aiohttp_server):
    received: list[dict] = []

    async def accept(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer t0k":
            return web.Response(status=401)
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/sms", accept)
    app.router.add_post("/push", accept)
    server = await aiohttp_server(app)
    return server, received


async def test_webhook_sms_posts_to_the_provider(provider, clock):
    """The webhook gateway hands the message to the provider with its token."""
    server, received = provider
    gateway = WebhookSms(str(server.make_url("/sms")), token="t0k")
    await gateway.send(sms(clock))
    await gateway.close()
    assert received == [
        {"to": "+33612345678", "text": "Code 123456", "purpose": "otp", "reference": "t1"}
    ]


async def test_webhook_sms_refused_is_an_error(provider, clock):
    """A provider refusal raises SmsNotSent (the caller tells the cardholder)."""
    server, _ = provider
    gateway = WebhookSms(str(server.make_url("/sms")), token="wrong")
    with pytest.raises(SmsNotSent):
        await gateway.send(sms(clock))
    await gateway.close()


async def test_webhook_push_carries_no_operation_details(provider):
    """A push names only the operation id: the phone fetches the rest with a signed call."""
    server, received = provider
    gateway = WebhookPush(str(server.make_url("/push")), token="t0k")
    await gateway.send(Push(device_id="d1", push_token="tok", operation_id="op1"))
    await gateway.close()
    assert set(received[0]) == {"push_token", "operation_id", "title"}


async def test_a_subscription_keeps_a_publish_made_while_its_owner_was_busy():
    """A worker busy with a round does not lose a wake-up published meanwhile."""
    hub = Hub(poll_interval=5)
    wake = hub.subscribe("outbox")
    wake.clear()
    await hub.publish("outbox")  # the worker is not waiting yet
    assert wake.is_set()
    hub.unsubscribe("outbox", wake)
    assert hub.waiting("outbox") == 0


async def test_a_watcher_sees_only_its_prefix_published_here():
    """Hub.watch: a key published in this process with the prefix calls the watcher with the
    rest of the key; other keys do not, and after unwatch nothing does."""
    hub = Hub()
    seen: list[str] = []
    hub.watch("rreq:", seen.append)
    await hub.publish("challenge:a", "rreq:a", "outbox")
    await hub.publish("rreq:b")
    hub.unwatch("rreq:")
    await hub.publish("rreq:c")
    assert seen == ["a", "b"]
