"""The dsURL allow-list: an AReq naming a dsURL outside its scheme's ds_urls gets Erro 203."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from acs.config import CardRange, Profile, Scheme, SchemeSettings
from acs.flows.areq import ds_url
from acs.flows.areq.ds_url import check_ds_url, ds_url_allowed
from acs.protocol import ProtocolError
from acs.web import create_app
from tests.areqs import areq

VISA_PAN = "4970100000000030"  # a demo Visa card
MASTERCARD_PAN = "5132850000000016"  # a demo Mastercard card
PREFIX = "https://ds.visa.test/3ds"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(ds_url, "_warned", set())


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://ds.visa.test/3ds", True),
        ("https://ds.visa.test/3ds/", True),
        ("https://ds.visa.test/3ds/rreq", True),
        ("https://DS.VISA.TEST:443/3ds/rreq?x=1", True),
        ("https://ds.visa.test/3dsx", False),
        ("https://ds.visa.test/other/3ds", False),
        ("https://ds.visa.test.evil.example/3ds/rreq", False),
        ("https://ds.visa.test@evil.example/3ds/rreq", False),
        ("https://user@ds.visa.test/3ds/rreq", False),
        ("http://ds.visa.test/3ds/rreq", False),
        ("https://ds.visa.test:8443/3ds/rreq", False),
        ("https://ds.visa.test/3ds/../admin", False),
        ("https://ds.visa.test/3ds/%2e%2e/admin", False),
        ("https://ds.visa.test:notaport/3ds", False),
        ("https://evil.example/3ds", False),
    ],
)
def test_prefix_matching_compares_origin_and_whole_path_segments(url, allowed):
    """A prefix accepts its own origin and paths under it, nothing that merely starts alike."""
    assert ds_url_allowed(url, PREFIX) is allowed


def test_a_host_only_prefix_accepts_any_path_on_that_host():
    """A prefix without a path covers the whole host, and only that host."""
    assert ds_url_allowed("https://ds.visa.test/any/path", "https://ds.visa.test")
    assert not ds_url_allowed("https://ds.visa.test.evil.example/", "https://ds.visa.test")


@pytest.fixture
def allow_listed(settings):
    visa = SchemeSettings(ds_urls=(PREFIX, "https://backup.ds.visa.test/"))
    return dataclasses.replace(settings, schemes={Scheme.VISA: visa})


@pytest.fixture
async def acs(aiohttp_client, allow_listed, keyring, clock, demo_data):
    return await aiohttp_client(create_app(allow_listed, keys=keyring, clock=clock))


async def test_a_ds_url_outside_the_list_gets_erro_203_naming_it(acs):
    """dsURL on a look-alike host: Erro 203, errorComponent A, errorDetail dsURL, no ARes."""
    message = areq(acctNumber=VISA_PAN, dsURL="https://ds.visa.test.evil.example/3ds/rreq")
    answer = await (await acs.post("/3ds/areq", json=message)).json()
    assert answer["messageType"] == "Erro"
    assert (answer["errorCode"], answer["errorComponent"], answer["errorDetail"]) == (
        "203",
        "A",
        "dsURL",
    )
    assert answer["threeDSServerTransID"] == message["threeDSServerTransID"]


async def test_a_ds_url_under_a_listed_prefix_is_answered(acs):
    """dsURL under one of the scheme's prefixes: the ARes as usual."""
    for url in (f"{PREFIX}/rreq", "https://backup.ds.visa.test/rreq"):
        message = areq(acctNumber=VISA_PAN, dsURL=url)
        answer = await (await acs.post("/3ds/areq", json=message)).json()
        assert answer["messageType"] == "ARes", answer


async def test_development_accepts_any_url_for_a_scheme_without_list_warning_once(acs, caplog):
    """Mastercard lists no ds_urls: in development any dsURL passes, with one warning."""
    caplog.set_level(logging.WARNING, logger="acs.flows.areq.ds_url")
    for _ in range(3):
        message = areq(acctNumber=MASTERCARD_PAN, dsURL="https://anywhere.example/rreq")
        answer = await (await acs.post("/3ds/areq", json=message)).json()
        assert answer["messageType"] == "ARes", answer
    warnings = [r for r in caplog.records if "ds_urls is empty" in r.getMessage()]
    assert len(warnings) == 1
    assert "schemes.mastercard.ds_urls" in warnings[0].getMessage()


def test_production_refuses_every_url_of_a_scheme_without_list(settings):
    """In production a scheme without ds_urls (start-up refuses it) accepts no dsURL either."""
    production = dataclasses.replace(settings, profile=Profile.PRODUCTION)
    with pytest.raises(ProtocolError) as raised:
        check_ds_url("https://anywhere.example/rreq", Scheme.MASTERCARD, production)
    assert (raised.value.code, raised.value.detail) == ("203", "dsURL")


def test_schemes_without_ds_urls_lists_the_served_schemes_missing_one(settings, allow_listed):
    """The production check's input: each scheme of a served range with no ds_urls, once."""
    assert settings.schemes_without_ds_urls == (Scheme.VISA, Scheme.MASTERCARD)
    assert allow_listed.schemes_without_ds_urls == (Scheme.MASTERCARD,)
    visa_only = dataclasses.replace(
        allow_listed, card_ranges=(CardRange("4" * 16, "4" * 16, Scheme.VISA),)
    )
    assert visa_only.schemes_without_ds_urls == ()
