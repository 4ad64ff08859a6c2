"""The benchmark harness in a tiny configuration, so that it does not rot (a few seconds).

It needs no ACS: the data generator, the AReq mix, the baseline app, one second of open-loop
load from the load-generator process, wrk when it is installed, the report renderer, and the
challenge driver's pieces (the fake DS, the per-method figures, the report section).
"""

from __future__ import annotations

import csv
import json
import random
import shutil

import pytest

from benchmarks.areqs import KINDS, Mix, load_template, render, write_template
from benchmarks.baseline import create_app
from benchmarks.datagen import pan_for, write_cards, write_customers, write_pans
from benchmarks.drive import LoadFiles, fixed_rate, saturation
from benchmarks.goals import evaluate
from benchmarks.render import render as render_report
from benchmarks.servers import start_baseline
from benchmarks.stats import percentile, summarize
from tests.prereq import missing_prerequisite


def _luhn_ok(pan: str) -> bool:
    digits = [int(c) for c in reversed(pan)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def test_cards_csv_has_valid_pans_in_the_dev_range(tmp_path):
    """50 generated cards are in the Visa-style dev range, pass Luhn and name their customer."""
    write_customers(tmp_path / "customers.csv", 0, 50)
    write_cards(tmp_path / "cards.csv", 0, 50)
    customers = list(csv.DictReader((tmp_path / "customers.csv").open()))
    cards = list(csv.DictReader((tmp_path / "cards.csv").open()))
    assert len(cards) == len(customers) == 50
    assert {c["customer_id"] for c in cards} == {c["customer_id"] for c in customers}
    for card in cards:
        assert "4970100000000000" <= card["pan"] <= "4970109999999999"
        assert _luhn_ok(card["pan"])


def test_mix_renders_each_kind_as_json_with_fresh_ids():
    """Every kind renders to JSON with new ids; the invalid kind has a short purchaseDate."""
    template, rng = load_template(), random.Random(3)
    bodies = {kind: json.loads(render(template, kind, pan_for(7), rng)) for kind in KINDS}
    assert len({b["threeDSServerTransID"] for b in bodies.values()}) == len(KINDS)
    assert int(bodies["frictionless"]["purchaseAmount"]) <= 3000
    assert int(bodies["challenge"]["purchaseAmount"]) > 50000
    assert len(bodies["invalid"]["purchaseDate"]) == 8
    assert Mix.parse("60,20,15,5").text() == "60,20,15,5"


def test_percentile_is_nearest_rank():
    """p50 of 1..10 is 5 and p99 is 10; an empty list has none."""
    values = [float(v) for v in range(1, 11)]
    assert (percentile(values, 50), percentile(values, 99), percentile([], 50)) == (5, 10, None)


async def test_baseline_answers_an_areq_with_a_fixed_ares(aiohttp_client):
    """The baseline parses the AReq and echoes its ids in a fixed ARes."""
    client = await aiohttp_client(create_app())
    body = render(load_template(), "frictionless", pan_for(1), random.Random(1))
    response = await client.post("/3ds/areq", data=body)
    ares = await response.json()
    assert response.status == 200
    assert ares["messageType"] == "ARes" and ares["transStatus"] == "Y"
    assert ares["threeDSServerTransID"] == json.loads(body)["threeDSServerTransID"]


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    """The baseline server and load files, and one second of open-loop load at 40 req/s."""
    work = tmp_path_factory.mktemp("bench")
    files = LoadFiles(write_template(work / "t.json"), write_pans(work / "p.txt", 50), "1,1,1,1")
    server = start_baseline(work)
    try:
        yield server, files, fixed_rate(server, files, rate=40, duration_s=1)
    finally:
        server.stop()


def test_loadgen_at_a_fixed_rate_returns_sane_stats(baseline_run):
    """40 req/s for 1 s: about 40 answers, no errors, ordered percentiles, CPU measured."""
    _, _, step = baseline_run
    assert step["tool"] == "loadgen-open" and step["offered_rps"] == 40
    assert 36 <= step["requests"] <= 40 and step["errors"] == 0
    assert 0 < step["p50_ms"] <= step["p95_ms"] <= step["p99_ms"] <= step["max_ms"]
    assert step["outcomes"] == {"Y": step["requests"]}
    assert step["server_cpu_percent"] >= 0


def test_wrk_saturation_parses(baseline_run):
    """One second of wrk with the Lua mix gives requests, latencies and no errors."""
    if shutil.which("wrk") is None:
        missing_prerequisite("wrk not installed (bash benchmarks/install.sh)")
    server, files, _ = baseline_run
    step = saturation(server, files, duration_s=1, connections=4, use_wrk=True)
    assert step["tool"] == "wrk" and step["requests"] > 0 and step["errors"] == 0
    assert 0 < step["p50_ms"] <= step["p99_ms"]


def test_report_renders_from_a_results_document(baseline_run, tmp_path):
    """A results document with the baseline step renders to Markdown marked as a smoke run."""
    _, _, step = baseline_run
    results = {
        "started": "2026-01-01T00:00:00Z",
        "note": "test",
        "plan": {"cards": 50, "tx_large": 0, "duration_s": 1, "saturation_s": 1},
        "machine": {
            "date": "2026-01-01T00:00:00+00:00", "cpu": "test", "nproc": 1, "memory_gib": 1.0,
            "os": "test", "python": "3.11", "packages": {}, "wrk": None,
            "load_average_at_start": [0.0, 0.0, 0.0],
        },
        "servers": {"baseline": {"steps": {"saturation_mix": step, "fixed": [step]}}},
    }  # fmt: skip
    results["goals"] = evaluate(results)
    written = render_report(results, source=tmp_path / "r.json", docs=tmp_path)
    text = (tmp_path / "performance.md").read_text()
    assert written[0].name == "performance.md"
    assert "Short smoke run" in text and "| baseline | fixed rate | loadgen-open | 40 |" in text


def test_proc_cpu_fallback_reads_this_process():
    """Without psutil, /proc gives this process's CPU time and finds it in its own tree."""
    import os

    from benchmarks import cpu

    sum(i * i for i in range(200_000))  # spend a little CPU
    assert os.getpid() in cpu._proc_tree(os.getpid())
    assert cpu._proc_cpu(os.getpid()) > 0


def test_securpass_cards_are_eligible_and_mobiles_distinct(tmp_path):
    """Challenge customers get a card used at a terminal and +337 mobiles; others stay +336."""
    write_customers(tmp_path / "c.csv", 900_000_000, 900_000_002, mobile_prefix="+337")
    write_cards(tmp_path / "k.csv", 900_000_000, 900_000_002, used_at_terminal=True)
    customers = list(csv.DictReader((tmp_path / "c.csv").open()))
    cards = list(csv.DictReader((tmp_path / "k.csv").open()))
    assert [c["secure_mobile"] for c in customers] == ["+33700000000", "+33700000001"]
    assert {c["used_at_terminal"] for c in cards} == {"true"} and all(
        map(_luhn_ok, (c["pan"] for c in cards))
    )


async def test_fake_ds_answers_rres_and_timestamps_arrivals():
    """The fake DS answers an RReq with RRes 01 echoing its ids and records when it came."""
    import time

    import aiohttp

    from benchmarks.fake_ds import FakeDS

    rreq = {
        "messageType": "RReq",
        "messageVersion": "2.2.0",
        "acsTransID": "a-1",
        "threeDSServerTransID": "t-1",
        "dsTransID": "d-1",
        "transStatus": "Y",
    }
    before = time.perf_counter()
    async with FakeDS() as ds, aiohttp.ClientSession() as http:
        async with http.post(ds.url, json=rreq) as response:
            rres = await response.json()
        await ds.wait_for(["a-1"], timeout=1)
        await ds.wait_for(["never"], timeout=0.05)  # gives up quietly
    assert ds.url.startswith("http://127.0.0.1:") and ds.port > 0
    assert rres == {
        "messageType": "RRes",
        "resultsStatus": "01",
        "messageVersion": "2.2.0",
        "acsTransID": "a-1",
        "threeDSServerTransID": "t-1",
        "dsTransID": "d-1",
    }
    assert before <= ds.arrivals["a-1"] <= time.perf_counter()


def test_challenge_figures_count_failures_and_missing_rreqs():
    """Latencies run from "sent"; failed samples and RReqs that never came are counted apart."""
    from benchmarks.challenge import summarize_method
    from benchmarks.challenge_round import Sample

    samples = [
        Sample("a", sent=1.0, answered=1.010, page=1.030),
        Sample("b", sent=2.0, answered=2.020, page=2.040),
        Sample("c", error="answer HTTP 401: bad_signature"),
    ]
    figures = summarize_method(samples, {"a": 1.025})
    assert (figures["samples"], figures["failures"], figures["rreq_missing"]) == (2, 1, 1)
    assert figures["approval_to_page"] == summarize([30.0, 40.0])
    assert figures["approval_to_rreq"]["p99_ms"] == 25.0
    assert figures["failure_examples"] == ["answer HTTP 401: bad_signature"]


def _challenge_result(p99_code: float, p99_bio: float) -> dict:
    def method(p99: float) -> dict:
        stats = {"p50_ms": p99 / 2, "p95_ms": p99, "p99_ms": p99, "max_ms": p99}
        return {
            "samples": 4,
            "failures": 0,
            "failure_examples": [],
            "rreq_missing": 0,
            "approval_to_page": stats,
            "approval_to_rreq": stats,
            "answer_http": stats,
        }

    return {
        "available": True,
        "concurrent": 2,
        "rounds": 2,
        "routes": {},
        "message": "measured",
        "enrol_seconds": 0.5,
        "methods": {"code": method(p99_code), "biometrics": method(p99_bio)},
        "spread": {
            "approvals_per_s": 20.0,
            "methods": {"code": method(p99_code / 3), "biometrics": method(p99_bio)},
        },
    }


def test_challenge_goals_and_report_section(tmp_path):
    """Each approval method gets its goal row and table row; notes.md fills its section."""
    results = {
        "started": "2026-01-01T00:00:00Z", "note": "smoke",
        "plan": {"cards": 50, "tx_large": 100_000, "duration_s": 1, "saturation_s": 1},
        "machine": {
            "date": "2026-01-01T00:00:00+00:00", "cpu": "test", "nproc": 1, "memory_gib": 1.0,
            "os": "test", "python": "3.11", "packages": {}, "wrk": None,
            "load_average_at_start": [0.0, 0.0, 0.0],
        },
        "servers": {"acs-sqlite": {"drain_seconds": 41.5}},
        "challenge": {"acs-sqlite": _challenge_result(120.0, 20.0)},
    }  # fmt: skip
    results["goals"] = evaluate(results)
    met = {g["goal"]: g["met"] for g in results["goals"]}
    approval = "acs-sqlite: Sécur'Pass approval ({}, {}) → challenge page, p99"
    assert met[approval.format("code", "burst")] is False
    assert met[approval.format("biometrics", "burst")] is True
    assert met[approval.format("code", "spread")] is True
    assert met["acs-sqlite: frictionless AReq throughput, one worker, vs baseline"] is None
    assert not any(g.startswith("acs-postgres") for g in met)  # not in this document
    (tmp_path / "notes.md").write_text("The scrypt check serialises code approvals.\n")
    render_report(results, source=tmp_path / "r.json", docs=tmp_path, notes=tmp_path / "notes.md")
    text = (tmp_path / "performance.md").read_text()
    assert "| acs-sqlite | code | all at once | 2 × 2 | 4 / 0 | 60.0 / 120.0 / 120.0 |" in text
    assert "| acs-sqlite | code | at random, 20/s | 2 × 2 | 4 / 0 | 20.0 / 40.0 / 40.0 |" in text
    assert "RReqs were delivered (after 41.5 s)" in text
    assert "## What stands in the way\n\nThe scrypt check serialises code approvals." in text
    assert "Cards: not compared" in text and "needs `--big`" in text


def test_report_without_notes_shows_the_placeholder(tmp_path):
    """Without benchmarks/notes.md the section says where the analysis goes."""
    from benchmarks.report import NOTES_PLACEHOLDER, _notes

    assert _notes(tmp_path / "absent.md") == NOTES_PLACEHOLDER


def test_approvals_arrive_at_once_or_as_a_poisson_process():
    """Burst: every phone at 0 s; spread: increasing times whose mean gap is 1 / rate."""
    import random

    from benchmarks.challenge_round import _arrivals

    assert _arrivals(3, None, random.Random(1)) == [0.0, 0.0, 0.0]
    times = _arrivals(2000, 20.0, random.Random(1))
    assert times == sorted(times) and times[0] > 0
    assert 0.045 < times[-1] / len(times) < 0.055  # 50 ms mean gap


def test_pending_challenge_work_reads_an_idle_database(database_url):
    """The drain probe's query runs on this run's database (SQLite or PostgreSQL): nothing
    pending on a fresh one."""
    from benchmarks.txload import pending_challenge_work

    if "schema=" in database_url:
        pytest.skip("the probe reads the default schema (the benchmark's database has one)")
    assert pending_challenge_work(database_url) == 0
