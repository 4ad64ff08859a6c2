"""Operator endpoints and the promise that no PAN is ever stored or logged in clear."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.areqs import areq
from tests.metrics_text import sample, scrape

PANS = ("4970100000000014", "4970100000000022", "4970100000000030", "4970109999999995")


async def test_healthz(client):
    """/healthz answers while the process runs."""
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_checks_the_database(client):
    """/readyz answers ready when the database answers."""
    response = await client.get("/readyz")
    assert response.status == 200
    assert (await response.json())["database"] == "ok"


@pytest.mark.usefixtures("demo_data")
async def test_metrics_count_requests_by_type_and_outcome(client):
    """/metrics shows AReqs by outcome (transStatus or Erro code) and a latency histogram."""
    before = await scrape(client)
    await client.post("/3ds/areq", json=areq(acctNumber="4970100000000030"))
    await client.post("/3ds/areq", data=b"nope", headers={"Content-Type": "application/json"})
    text = await scrape(client)
    for outcome in ("N", "erro_101"):
        labels = {"message_type": "AReq", "outcome": outcome}
        assert sample(text, "acs_requests_total", **labels) == (
            sample(before, "acs_requests_total", **labels) + 1
        )
    count = "acs_request_duration_seconds_count"
    assert (
        sample(text, count, message_type="AReq") == sample(before, count, message_type="AReq") + 2
    )
    assert 'le="+Inf"' in text


@pytest.mark.usefixtures("demo_data")
async def test_no_pan_in_database_file_or_logs(client, settings, db_kind, caplog):
    """After AReqs on several cards, neither the SQLite file nor the logs hold a PAN."""
    if db_kind != "sqlite":
        pytest.skip("scans the SQLite file; the PostgreSQL run checks the logs in the same way")
    caplog.set_level(logging.DEBUG)
    for pan in PANS:
        await client.post("/3ds/areq", json=areq(acctNumber=pan))
    await client.post("/3ds/areq", json=areq(acctNumber="4000000000000002"))
    database = Path(make_url(settings.database_url).database)
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    logs = caplog.text
    for pan in (*PANS, "4000000000000002"):
        assert pan.encode() not in raw
        assert pan not in logs
    assert "0014" in logs  # the masked form is there: the logs do name the card


@pytest.mark.usefixtures("demo_data")
async def test_no_pan_in_logs_on_any_database(client, caplog):
    """The logs carry masked PANs only, on every database."""
    caplog.set_level(logging.DEBUG)
    for pan in PANS:
        await client.post("/3ds/areq", json=areq(acctNumber=pan))
    for pan in PANS:
        assert pan not in caplog.text


async def test_root_page_names_the_server_and_links_the_operator_endpoints(client) -> None:
    """GET / in a browser: name, version, profile and a link to each operator endpoint (and
    the development SMS inbox); JSON with Accept: application/json."""
    import acs

    page = await client.get("/", headers={"Accept": "text/html"})
    assert page.status == 200 and page.content_type == "text/html"
    text = await page.text()
    assert "Sécur'Pass ACS" in text and f'<dd id="version">{acs.__version__}</dd>' in text
    assert '<dd id="profile">development</dd>' in text
    for path in ("/healthz", "/readyz", "/metrics", "/dev/sms"):
        assert f'href="{path}"' in text
        assert (await client.get(path, headers={"Accept": "text/html"})).status == 200
    facts = await (await client.get("/", headers={"Accept": "application/json"})).json()
    assert (facts["name"], facts["profile"]) == ("Sécur'Pass ACS", "development")
