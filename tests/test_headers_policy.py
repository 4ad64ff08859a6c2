"""Security headers on every kind of answer (issue #12 point 8): nosniff, no-store, no version
in Server, HSTS over TLS, the challenge pages' nonce-only CSP, the follow-ups' Origin check."""

from __future__ import annotations

import asyncio
import datetime
import re
import ssl
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from acs.protocol import b64url_encode
from acs.web import create_app
from tests.areqs import areq
from tests.challenge.helpers import SECURPASS_CARD, SMS_CARD, creq_for, encode, form_fields, start
from tests.challenge.helpers import form_action as action_of
from tests.phones import camille, make_phone  # noqa: F401  (fixtures)

API = "/securpass/v1"
BACK_OFFICE = "/backoffice/v1/customers/C0001/securpass"
ACS_ORIGIN = "https://acs.test"  # the tests' public_base_url


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every test here runs with the demo customers and cards."""


def assert_policy(response: aiohttp.ClientResponse, *, secure: bool = False) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Server"] == "acs"
    assert ("Strict-Transport-Security" in headers) is secure


async def open_page(client, fake_ds, pan=SMS_CARD):
    areq_msg, ares = await start(client, fake_ds.url, pan=pan)
    assert ares["transStatus"] == "C"
    data = {"creq": encode(creq_for(areq_msg, ares))}
    response = await client.post("/3ds/challenge", data=data, headers={"Origin": "https://shop"})
    assert response.status == 200
    return response, await response.text()


def follow_up(page: str, index: int = 0) -> tuple[str, dict[str, str]]:
    action = action_of(page, index).replace(ACS_ORIGIN, "")
    return action, {"token": form_fields(page)["token"]}


async def test_json_answers_carry_the_policy(client, fake_ds, staff):
    """ARes, Erro, device API, back office, dev inbox, ranges, ops: nosniff, no-store, Server."""
    _, ares = await start(client, fake_ds.url)
    assert ares["messageType"] == "ARes"
    answers = [
        await client.post("/3ds/areq", data=b"{not json"),
        await client.get(f"{API}/openapi.json"),
        await client.get(f"{API}/devices/unknown"),
        await client.get(BACK_OFFICE, headers=staff()),
        await client.get(BACK_OFFICE),
        await client.get("/dev/sms", params={"to": "+33698765432"}),
        await client.get("/3ds/ranges"),
        await client.get("/healthz"),
        await client.get("/metrics"),
        await client.get("/no/such/route"),
        await client.put("/3ds/areq"),
    ]
    assert [r.status for r in answers] == [200, 200, 401, 200, 401, 200, 200, 200, 200, 404, 405]
    for response in answers:
        assert_policy(response)


async def test_the_ares_itself_is_not_cacheable(client, fake_ds):
    """The ARes answer (personal and transaction data) is no-store and nosniff."""
    response = await client.post("/3ds/areq", json=areq("2.2.0", "browser", "pa"))
    assert (await response.json())["messageType"] in ("ARes", "Erro")
    assert_policy(response)


@pytest.mark.usefixtures("camille")  # an enrolled phone: the Sécur'Pass page has the script
async def test_challenge_pages_have_a_nonce_csp_without_unsafe_inline(client, fake_ds):
    """Each page's scripts and styles carry that answer's nonce; no 'unsafe-inline' anywhere."""
    nonces = set()
    for pan in (SMS_CARD, SECURPASS_CARD):  # the OTP page (style) and the OOB page (script)
        response, page = await open_page(client, fake_ds, pan)
        assert_policy(response)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        (nonce,) = set(re.findall(r"'nonce-([A-Za-z0-9_-]+)'", csp))
        tags = re.findall(r"<(script|style)([^>]*)>", page)
        assert tags and all(f'nonce="{nonce}"' in attrs for _, attrs in tags)
        assert response.headers["Referrer-Policy"] == "same-origin"
        nonces.add(nonce)
    assert "<script" in page
    assert len(nonces) == 2  # one per answer


async def test_the_method_page_script_runs_only_with_its_nonce(client):
    """The 3DS Method page's collecting script carries the CSP nonce."""
    data = b64url_encode(
        b'{"threeDSServerTransID":"8a880dc0-d2d2-4067-bcb1-b08d1690b26e",'
        b'"threeDSMethodNotificationURL":"https://3ds.test/notify"}'
    )
    response = await client.post("/3ds/method", data={"threeDSMethodData": data})
    assert response.status == 200
    assert_policy(response)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in await response.text()


async def test_follow_up_posts_from_another_origin_get_a_403_page(client, fake_ds):
    """/otp, /resend, /cancel and /continue refuse a foreign Origin (403) and change nothing."""
    _, page = await open_page(client, fake_ds)
    for index in range(3):  # otp, resend, cancel
        action, fields = follow_up(page, index)
        for origin in ("https://evil.example", "null", "http://acs.test"):
            refused = await client.post(action, data=fields, headers={"Origin": origin})
            assert refused.status == 403, (action, origin)
            assert "challenge page" in await refused.text()
            assert_policy(refused)
    base = follow_up(page)[0].rsplit("/", 1)[0]
    refused = await client.post(
        f"{base}/continue", data=follow_up(page)[1], headers={"Origin": "https://evil.example"}
    )
    assert refused.status == 403
    # The foreign cancel changed nothing: the same page still accepts a wrong code.
    action, fields = follow_up(page, 0)
    same = await client.post(
        action, data={**fields, "code": "000000"}, headers={"Origin": ACS_ORIGIN}
    )
    assert same.status == 200 and "Code incorrect" in await same.text()


async def test_follow_up_posts_without_origin_or_from_the_acs_are_served(client, fake_ds):
    """No Origin (older browsers, the test client) or the ACS's own origin: served as before."""
    _, page = await open_page(client, fake_ds)
    action, fields = follow_up(page, 0)
    plain = await client.post(action, data={**fields, "code": "000000"})
    assert plain.status == 200
    own = await client.post(
        action, data={**fields, "code": "000000"}, headers={"Origin": "https://ACS.test:443"}
    )
    assert own.status == 200


def _self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


async def test_hsts_only_over_tls(settings, keyring, clock, tmp_path):
    """A TLS listener answers with Strict-Transport-Security; the same app over plain HTTP not."""
    server = TestServer(create_app(settings, keys=keyring, clock=clock), port=0)
    await server.start_server(ssl=_self_signed(tmp_path))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"https://127.0.0.1:{server.port}/healthz", ssl=False) as answer:
                assert answer.status == 200
                assert_policy(answer, secure=True)
                assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
            async with http.get(f"https://127.0.0.1:{server.port}/nowhere", ssl=False) as answer:
                assert answer.status == 404
                assert_policy(answer, secure=True)
    finally:
        await server.close()


async def test_hsts_absent_over_plain_http(client):
    """Over plain HTTP there is no Strict-Transport-Security header."""
    response = await client.get("/healthz")
    assert_policy(response, secure=False)


async def test_the_parsers_own_errors_have_no_version_in_server(client):
    """A malformed request (answered by aiohttp before any route) names no aiohttp version."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    await writer.drain()
    head = (await reader.read(4096)).decode("latin-1")
    writer.close()
    assert re.match(r"HTTP/1\.[01] 400 ", head), head
    server = re.search(r"^Server: (.*)\r$", head, re.MULTILINE | re.IGNORECASE).group(1)
    assert server == "acs"
