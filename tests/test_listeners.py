"""The three listeners over real sockets: mutual TLS on ds, each route only on its listener."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from acs.config import ConfigError, Listener, Listeners, Scheme, SchemeSettings, Settings
from acs.crypto.ds_clients import ClientScheme, DsClientCas
from acs.web import create_app, serve
from acs.web.keys import ROUTING
from acs.web.listeners import ListenerName
from tests.areqs import areq
from tests.pki import Issued, TestCa


@dataclasses.dataclass(frozen=True)
class Pki:
    server_ca: TestCa  # issues the ACS's listener certificates
    visa_ds: Issued  # a DS client certificate from the Visa DS CA
    mastercard_ds: Issued  # ... from the Mastercard DS CA
    stranger: Issued  # ... from a CA no scheme configured
    visa_ca: TestCa
    mastercard_ca: TestCa


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    server_ca = TestCa(folder, "acs")
    visa, mastercard, other = (TestCa(folder, n) for n in ("visa", "mastercard", "other"))
    return Pki(
        server_ca,
        visa.issue("visa ds", client=True),
        mastercard.issue("mastercard ds", client=True),
        other.issue("intruder", client=True),
        visa,
        mastercard,
    )


def listener_settings(settings: Settings, pki: Pki, **tables: Listener | None) -> Settings:
    server = pki.server_ca.issue("127.0.0.1")
    ds = Listener(port=0, tls_cert=server.cert, tls_key=server.key)
    chosen = {"ds": ds, "public": Listener(port=0), "admin": Listener(port=0), **tables}
    schemes = {
        Scheme.VISA: SchemeSettings(ds_client_ca=pki.visa_ca.bundle),
        Scheme.MASTERCARD: SchemeSettings(ds_client_ca=pki.mastercard_ca.bundle),
    }
    return dataclasses.replace(settings, port=0, listeners=Listeners(**chosen), schemes=schemes)


@dataclasses.dataclass(frozen=True)
class Running:
    urls: dict[str, str]  # "ds" / "public" / "admin" / "default" → base URL
    lines: list[str]


async def start(app: web.Application, settings: Settings) -> tuple[web.AppRunner, Running]:
    runner = web.AppRunner(app)
    await runner.setup()
    lines = await serve.start(runner, serve.plan(settings))
    urls = {}
    for line in lines:
        found = re.search(r"serving(?: ([a-z, ]+))? on (https?://127\.0\.0\.1:\d+)", line)
        assert found, line
        names = found.group(1) or "every listener"
        urls["default" if " " in names else names] = found.group(2)
    return runner, Running(urls, lines)


@pytest.fixture
async def running(settings, pki, keyring, clock, demo_data) -> AsyncIterator[Running]:
    chosen = listener_settings(settings, pki)
    runner, up = await start(create_app(chosen, keys=keyring, clock=clock), chosen)
    yield up
    await runner.cleanup()


VISA_PAN, MASTERCARD_PAN = "4970100000000030", "5132850000000016"  # demo cards


async def post_areq(
    url: str, context: ssl.SSLContext | None, pan: str = VISA_PAN
) -> aiohttp.ClientResponse:
    message = areq(acctNumber=pan)
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/3ds/areq", json=message, ssl=context or False) as answer,
    ):
        await answer.read()
        return answer


def test_every_route_belongs_to_a_listener(settings, keyring, clock):
    """Each resource of the app is tagged with a listener; /3ds/areq with ds alone."""
    app = create_app(settings, keys=keyring, clock=clock)
    tags = app[ROUTING].tags
    untagged = [r.canonical for r in app.router.resources() if not tags.get(r)]
    assert untagged == []
    by_path = {r.canonical: tags[r] for r in app.router.resources()}
    assert by_path["/3ds/areq"] == {ListenerName.DS}
    assert by_path["/dev/sms"] == {ListenerName.ADMIN}
    assert by_path["/securpass/v1/enrolments"] == {ListenerName.PUBLIC}


async def test_one_line_per_listener_with_its_url(running):
    """Start-up prints one line per listener; ds says it requires a client certificate."""
    assert len(running.lines) == 3
    ds = next(line for line in running.lines if " ds " in line)
    assert ds.endswith("(client certificate required)") and "https://" in ds


async def test_ds_accepts_an_areq_with_a_scheme_client_certificate(running, pki):
    """A DS presenting a certificate from a configured scheme's CA gets its ARes."""
    for client, pan in ((pki.visa_ds, VISA_PAN), (pki.mastercard_ds, MASTERCARD_PAN)):
        context = client.client_context(trust=pki.server_ca)
        answer = await post_areq(running.urls["ds"], context, pan)
        assert answer.status == 200
        assert (await answer.json())["messageType"] == "ARes"


async def test_a_ds_asking_for_another_schemes_card_gets_erro_303(running, pki):
    """The Mastercard DS's certificate, a Visa card: Erro 303 naming acctNumber, no ARes."""
    context = pki.mastercard_ds.client_context(trust=pki.server_ca)
    answer = await (await post_areq(running.urls["ds"], context, VISA_PAN)).json()
    assert (answer["messageType"], answer["errorCode"], answer["errorDetail"]) == (
        "Erro",
        "303",
        "acctNumber",
    )


def test_a_certificate_from_no_bundle_belongs_to_no_scheme(pki):
    """Attribution needs the issuing CA in a bundle: another CA's certificate has no scheme."""
    cas = DsClientCas.load(
        {Scheme.VISA: pki.visa_ca.bundle, Scheme.MASTERCARD: pki.mastercard_ca.bundle}
    )
    assert cas.scheme_of(der(pki.visa_ds)) == ClientScheme(Scheme.VISA)
    assert cas.scheme_of(der(pki.mastercard_ds)) == ClientScheme(Scheme.MASTERCARD)
    assert cas.scheme_of(der(pki.stranger)) == ClientScheme(None)


def der(issued: Issued) -> bytes:
    return ssl.PEM_cert_to_DER_cert(Path(issued.cert).read_text(encoding="ascii"))


@pytest.mark.parametrize("who", ["nobody", "stranger"])
async def test_ds_refuses_no_certificate_or_another_ca(running, pki, who):
    """No client certificate, or one from an unconfigured CA: no HTTP exchange at all."""
    if who == "nobody":
        context = pki.server_ca.client_context()
    else:
        context = pki.stranger.client_context(trust=pki.server_ca)
    with pytest.raises(aiohttp.ClientError):
        await post_areq(running.urls["ds"], context)


@pytest.mark.parametrize("who", ["nobody", "stranger"])
async def test_ds_refusal_happens_in_the_tls_handshake(running, pki, who):
    """Over TLS 1.2 (where the client sees it at once) the handshake itself fails."""
    if who == "nobody":
        context = pki.server_ca.client_context()
    else:
        context = pki.stranger.client_context(trust=pki.server_ca)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    host, port = running.urls["ds"].removeprefix("https://").split(":")
    with pytest.raises((ssl.SSLError, ConnectionResetError)):  # an alert, or the reset after it
        await asyncio.open_connection(host, int(port), ssl=context)
    context.load_cert_chain(pki.visa_ds.cert, pki.visa_ds.key)
    _, writer = await asyncio.open_connection(host, int(port), ssl=context)
    writer.close()


ANSWERS = [
    # (listener, method, path, status)
    ("public", "POST", "/3ds/areq", 404),
    ("public", "GET", "/3ds/areq", 404),  # not 405: nothing says the route exists elsewhere
    ("ds", "GET", "/3ds/areq", 404),
    ("admin", "POST", "/3ds/areq", 404),
    ("public", "GET", "/healthz", 200),
    ("public", "GET", "/securpass/v1/openapi.json", 200),
    ("public", "GET", "/metrics", 404),
    ("public", "GET", "/readyz", 404),
    ("public", "GET", "/dev/sms?to=%2B33612345678", 404),
    ("public", "GET", "/3ds/ranges", 404),
    ("public", "POST", "/backoffice/v1/customers/C0001/sms-otp/reset", 404),
    ("public", "GET", "/backoffice/dashboard", 404),  # the HTML back office: admin only
    ("public", "POST", "/backoffice/logout", 404),
    ("admin", "POST", "/backoffice/logout", 401),  # there, but no session
    ("public", "POST", "/banking/v1/operations", 404),  # the bank's systems: admin only
    ("public", "GET", "/banking/v1/operations/x", 404),
    ("ds", "POST", "/banking/v1/operations", 404),
    ("admin", "POST", "/banking/v1/operations", 401),  # there, but a service token is needed
    ("admin", "GET", "/healthz", 200),
    ("admin", "GET", "/metrics", 200),
    ("admin", "GET", "/readyz", 200),
    ("admin", "GET", "/3ds/ranges", 200),
    ("admin", "GET", "/dev/sms?to=%2B33612345678", 200),
    ("admin", "GET", "/securpass/v1/openapi.json", 404),
    ("admin", "POST", "/3ds/challenge", 404),
    ("admin", "POST", "/3ds/method", 404),
    ("ds", "GET", "/healthz", 404),
    ("ds", "GET", "/metrics", 404),
    ("ds", "GET", "/securpass/v1/openapi.json", 404),
    ("ds", "POST", "/3ds/challenge", 404),
]


async def test_each_route_answers_only_on_its_listener(running, pki):
    """A route asked on another listener is a 404, as if it did not exist there."""
    context = pki.visa_ds.client_context(trust=pki.server_ca)
    got = []
    async with aiohttp.ClientSession() as http:
        for listener, method, path, _ in ANSWERS:
            url = running.urls[listener] + path
            async with http.request(method, url, ssl=context if listener == "ds" else False) as r:
                got.append((listener, method, path, r.status))
    assert got == ANSWERS


async def test_only_ds_configured_moves_the_areq_and_leaves_the_rest(settings, pki, keyring, clock):
    """With [listeners.ds] alone, /3ds/areq leaves host:port; the other routes stay there."""
    chosen = listener_settings(settings, pki, public=None, admin=None)
    runner, up = await start(create_app(chosen, keys=keyring, clock=clock), chosen)
    try:
        assert set(up.urls) == {"ds", "default"}
        assert (await post_areq(up.urls["default"], None)).status == 404
        async with aiohttp.ClientSession() as http:
            for path in ("/healthz", "/metrics", "/securpass/v1/openapi.json"):
                async with http.get(up.urls["default"] + path) as answer:
                    assert answer.status == 200, path
    finally:
        await runner.cleanup()


async def test_development_serves_everything_on_one_port(settings, keyring, clock):
    """No listener configured: one site, every route on it, as before."""
    chosen = dataclasses.replace(settings, port=0)
    runner, up = await start(create_app(chosen, keys=keyring, clock=clock), chosen)
    try:
        assert len(up.lines) == 1 and up.lines[0].startswith("serving on http://")
        async with aiohttp.ClientSession() as http:
            for path in ("/healthz", "/metrics", "/securpass/v1/openapi.json", "/3ds/ranges"):
                async with http.get(up.urls["default"] + path) as answer:
                    assert answer.status == 200, path
        assert (await post_areq(up.urls["default"], None)).status == 200
    finally:
        await runner.cleanup()


def test_a_tls_ds_listener_without_client_ca_stops_start_up(settings, pki):
    """A ds listener with TLS but no scheme's ds_client_ca could authenticate no DS: refused."""
    chosen = dataclasses.replace(listener_settings(settings, pki), schemes={})
    with pytest.raises(ConfigError) as raised:
        serve.plan(chosen)
    assert raised.value.key == "listeners.ds"


def test_an_unreadable_certificate_names_its_key(settings, pki, tmp_path: Path):
    """A listener certificate that does not load stops start-up naming the key."""
    broken = Listener(port=0, tls_cert=str(tmp_path / "missing.pem"), tls_key="k.pem")
    with pytest.raises(ConfigError) as raised:
        serve.plan(listener_settings(settings, pki, public=broken))
    assert raised.value.key == "listeners.public.tls_cert"
    bad_ca = {Scheme.VISA: SchemeSettings(ds_client_ca=str(tmp_path / "nope.pem"))}
    with pytest.raises(ConfigError) as raised:
        serve.plan(dataclasses.replace(listener_settings(settings, pki), schemes=bad_ca))
    assert raised.value.key == "schemes.visa.ds_client_ca"


def test_two_listeners_on_one_address_stop_start_up(settings, pki):
    """Two listeners on the same host and port would share connections: refused."""
    same = Listener(port=8443)
    with pytest.raises(ConfigError, match="two listeners"):
        serve.plan(listener_settings(settings, pki, public=same, admin=same))


def test_acs_url_defaults_to_the_public_listener(settings):
    """Without public_base_url, acsURL is built on the public listener, not host:port."""
    public = Listener(host="10.0.0.5", port=8443, tls_cert="c.pem", tls_key="k.pem")
    chosen = dataclasses.replace(settings, public_base_url="", listeners=Listeners(public=public))
    assert chosen.base_url == "https://10.0.0.5:8443"
    assert dataclasses.replace(chosen, listeners=Listeners()).base_url == "http://127.0.0.1:8000"
