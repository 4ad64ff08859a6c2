"""The README's example config works as printed: it loads, passes the start-up checks, serves
both ranges of the demo cards, and its commented PostgreSQL URL is a valid alternative."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from acs.config import load_settings
from acs.demo import DEMO_CARDS, write_demo_csv
from acs.startup_checks import startup_refusals
from tests.areqs import areq
from tests.test_cli import _wait_ready, free_port

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_config() -> str:
    found = re.search(r"## Configuration \(TOML\)\s+```toml\n(.*?)```", README.read_text(), re.S)
    assert found, "no TOML block under ## Configuration (TOML)"
    return found[1]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "acs.toml"
    path.write_text(readme_config(), encoding="utf-8")
    return path


def test_the_example_loads_and_passes_the_start_up_checks(config):
    """As printed: no ConfigError, no refusal, every demo card in a served range."""
    settings = load_settings(config, environ={})
    assert startup_refusals(settings) == []
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert [c.pan for c in DEMO_CARDS if settings.range_for(c.pan) is None] == []


def test_the_commented_postgresql_url_is_an_alternative(config, tmp_path):
    """Uncommenting the PostgreSQL line (instead of the SQLite one) still loads."""
    lines = config.read_text().splitlines()
    swapped = [
        line[2:] if line.startswith("# database_url") else line
        for line in lines
        if not line.startswith("database_url")
    ]
    config.write_text("\n".join(swapped) + "\n", encoding="utf-8")
    assert load_settings(config, environ={}).database_url.startswith("postgresql+asyncpg://")


def test_serve_with_the_example_answers_the_demo_cards(config, tmp_path):
    """`acs --config <the README's example> serve`, after `acs import` of the demo files:
    a Mastercard demo card is answered (a frictionless-range card of each scheme is served)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACS_")}
    env["PYTHONPATH"] = str(README.parent)
    acs = [sys.executable, "-m", "acs.cli", "--config", str(config)]
    for kind, path in zip(("customers", "cards"), write_demo_csv(tmp_path / "demo"), strict=True):
        done = subprocess.run([*acs, "import", kind, str(path)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(
        [*acs, "serve", "--port", str(port)], env=env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server)
        for pan, status in (("4970100000000030", "N"), ("5132850000000016", "C")):
            request = urllib.request.Request(
                f"{base}/3ds/areq", data=json.dumps(areq(acctNumber=pan)).encode(),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert json.load(answer)["transStatus"] == status, pan
    finally:
        server.terminate()
        server.wait(timeout=20)
