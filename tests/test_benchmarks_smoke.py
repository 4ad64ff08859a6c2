"""The benchmark harness in a tiny configuration, so that it does not rot (a few seconds).

It needs no ACS: the data generator, the AReq mix, the baseline app, one second of open-loop
load from the load-generator process, wrk when it is installed, and the report renderer.
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
from benchmarks.stats import percentile
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
