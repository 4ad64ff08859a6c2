"""The DS simulator routes AReqs by card range and relays RReqs, against fake ACS and 3DS Server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from merchant_simulator.ds import AcsRange, DsConfig, create_ds_app
from tests.simulator.conftest import serve

TRANS_ID = "8a880dc0-d2d2-4067-bcb1-b08d1690b26e"
ACS_TRANS_ID = "d7c1ee99-9478-44a6-b1f2-391e29c6b340"


def fake_acs(received: list[dict]) -> web.Application:
    async def areq(request: web.Request) -> web.Response:
        message = await request.json()
        received.append(message)
        return web.json_response(
            {
                "messageType": "ARes",
                "messageVersion": message["messageVersion"],
                "threeDSServerTransID": message["threeDSServerTransID"],
                "dsTransID": message["dsTransID"],
                "acsTransID": ACS_TRANS_ID,
                "transStatus": "C",
            }
        )

    app = web.Application()
    app.router.add_post("/3ds/areq", areq)
    return app


def fake_threeds_server(received: list[dict]) -> web.Application:
    async def rreq(request: web.Request) -> web.Response:
        message = await request.json()
        received.append(message)
        ids = {k: message[k] for k in ("threeDSServerTransID", "dsTransID", "acsTransID")}
        return web.json_response(
            {"messageType": "RRes", "messageVersion": "2.2.0", **ids, "resultsStatus": "01"}
        )

    app = web.Application()
    app.router.add_post("/rreq", rreq)
    return app


@pytest.fixture
async def parties() -> AsyncIterator[tuple[str, str, list[dict], list[dict]]]:
    """(DS URL, 3DS Server URL, AReqs the ACS got, RReqs the 3DS Server got)."""
    servers: list[TestServer] = []
    at_acs: list[dict] = []
    at_server: list[dict] = []
    acs = await serve(fake_acs(at_acs), servers)
    server = await serve(fake_threeds_server(at_server), servers)
    ranges = (AcsRange(4970100000000000, 4970109999999999, f"{acs}/3ds/areq", f"{acs}/m"),)
    ds = await serve(create_ds_app(DsConfig(ranges=ranges)), servers)
    yield ds, server, at_acs, at_server
    for item in servers:
        await item.close()


def areq(pan: str, server_url: str) -> dict:
    return {
        "messageType": "AReq",
        "messageVersion": "2.2.0",
        "threeDSServerTransID": TRANS_ID,
        "threeDSServerURL": f"{server_url}/rreq",
        "acctNumber": pan,
    }


async def post(url: str, body: object) -> dict:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        assert response.status == 200
        return await response.json()


async def test_unknown_range_is_erro_305_from_the_ds(parties) -> None:
    """A PAN outside every range gets Erro 305 from the DS itself; no ACS is called."""
    ds, server, at_acs, _ = parties
    erro = await post(f"{ds}/areq", areq("4000000000001000", server))
    assert erro["messageType"] == "Erro"
    assert (erro["errorCode"], erro["errorComponent"]) == ("305", "D")
    assert erro["errorDetail"] == "acctNumber"
    assert erro["threeDSServerTransID"] == TRANS_ID
    assert at_acs == []


async def test_areq_reaches_the_acs_with_the_ds_fields(parties) -> None:
    """The ACS receives dsTransID (a UUID), dsReferenceNumber and the DS's own /rreq URL."""
    ds, server, at_acs, _ = parties
    ares = await post(f"{ds}/areq", areq("4970100000000014", server))
    [received] = at_acs
    assert uuid.UUID(received["dsTransID"])
    assert received["dsReferenceNumber"] == "DS_SIM_REF_0001"
    assert received["dsURL"] == f"{ds}/rreq"
    assert ares["messageType"] == "ARes"
    assert ares["dsTransID"] == received["dsTransID"]


async def test_rreq_is_relayed_and_rres_comes_back(parties) -> None:
    """The RReq goes to the threeDSServerURL learnt from the AReq; its RRes returns to the ACS."""
    ds, server, _, at_server = parties
    ares = await post(f"{ds}/areq", areq("4970100000000014", server))
    rreq = {
        "messageType": "RReq",
        "messageVersion": "2.2.0",
        "messageCategory": "01",
        "threeDSServerTransID": TRANS_ID,
        "dsTransID": ares["dsTransID"],
        "acsTransID": ACS_TRANS_ID,
        "transStatus": "Y",
    }
    rres = await post(f"{ds}/rreq", rreq)
    assert at_server == [rreq]
    assert rres["messageType"] == "RRes"
    assert rres["resultsStatus"] == "01"
    assert rres["acsTransID"] == ACS_TRANS_ID


async def test_rreq_for_an_unknown_transaction_is_erro_301(parties) -> None:
    """An RReq whose ids the DS never routed is answered Erro 301 and not relayed."""
    ds, _, _, at_server = parties
    rreq = {"messageType": "RReq", "messageVersion": "2.2.0", "threeDSServerTransID": TRANS_ID}
    erro = await post(f"{ds}/rreq", rreq)
    assert (erro["errorCode"], erro["errorComponent"]) == ("301", "D")
    assert at_server == []


async def test_not_an_areq_is_erro_101(parties) -> None:
    """A body that is not an AReq is Erro 101."""
    ds, _, _, _ = parties
    erro = await post(f"{ds}/areq", {"messageType": "RReq"})
    assert erro["errorCode"] == "101"


async def test_ranges_list_versions_and_method_url(parties) -> None:
    """GET /ranges lists each range with its protocol versions and 3DS Method URL."""
    ds, _, _, _ = parties
    async with aiohttp.ClientSession() as session, session.get(f"{ds}/ranges") as response:
        ranges = await response.json()
    [item] = ranges["cardRangeData"]
    assert item["startRange"] == "4970100000000000"
    assert item["acsProtocolVersions"] == ["2.1.0", "2.2.0", "2.3.1"]
    assert item["threeDSMethodURL"].endswith("/m")


def test_range_contains_compares_on_the_range_width() -> None:
    """A 16-digit range matches 16- and 19-digit PANs by their leading digits."""
    item = AcsRange(4970100000000000, 4970109999999999, "http://acs/areq")
    assert item.contains("4970100000000014")
    assert item.contains("4970100000000014123")
    assert not item.contains("4970110000000000")
    assert not item.contains("49701")
