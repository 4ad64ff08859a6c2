"""The ``acs`` command as a newcomer and an operator use it, run as a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from acs.demo import write_demo_csv
from tests.areqs import areq

ACS = [sys.executable, "-m", "acs.cli"]


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120):
    return subprocess.run(
        [*ACS, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ACS_DATABASE_URL": database_url,
        "ACS_KEYS_DIR": str(tmp_path / "keys"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }


def test_keys_init_creates_once_and_never_overwrites(env, tmp_path):
    """The first `acs keys init` creates the dev keys; the second changes nothing."""
    first = run(["keys", "init"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "pan_hmac" in first.stdout
    secrets = (tmp_path / "keys" / "secrets.json").read_bytes()
    second = run(["keys", "init"], env, tmp_path)
    assert "created nothing" in second.stdout
    assert (tmp_path / "keys" / "secrets.json").read_bytes() == secrets
    assert (tmp_path / "keys" / "secrets.json").stat().st_mode & 0o077 == 0


def test_bad_config_stops_with_the_key_named(env, tmp_path):
    """A wrong config key stops the command with exit status 2 and names the key."""
    config = tmp_path / "acs.toml"
    config.write_text('[risk]\nlow_value_max_minor = "lots"\n', encoding="utf-8")
    result = run(["--config", str(config), "serve"], env, tmp_path)
    assert result.returncode == 2
    assert "risk.low_value_max_minor" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade(env, tmp_path):
    """`acs db upgrade` brings the configured database to head."""
    result = run(["db", "upgrade"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "at head" in result.stdout


def test_import_reports_every_bad_line_and_imports_nothing(env, tmp_path):
    """A file with errors imports nothing and lists each bad line by number and field."""
    customers, _ = write_demo_csv(tmp_path / "demo")
    assert run(["import", "customers", str(customers)], env, tmp_path).returncode == 0
    cards = tmp_path / "cards.csv"
    cards.write_text(
        "pan,expiry_yymm,customer_id,status,used_at_terminal\n"
        "4970100000000014,2912,C0001,active,true\n"
        "4970100000000015,2912,C0001,active,true\n"
        "4970100000000022,1399,C0002,active,maybe\n",
        encoding="utf-8",
    )
    result = run(["import", "cards", str(cards)], env, tmp_path)
    assert result.returncode == 1
    assert f"{cards}:3: pan" in result.stderr
    assert f"{cards}:4: expiry_yymm" in result.stderr
    assert f"{cards}:4: used_at_terminal" in result.stderr
    assert "4970100000000015" not in result.stderr  # the PAN is masked even in errors
    assert "nothing imported" in result.stderr
    skipped = run(["import", "cards", str(cards), "--skip-invalid"], env, tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert "1 inserted" in skipped.stdout and "2 skipped" in skipped.stdout


def test_import_refuses_controls_and_formulas_by_line_and_field(env, tmp_path):
    """NUL, a bidi override and formulas are listed as `file:line: field: …`; no traceback."""
    customers = tmp_path / "customers.csv"
    customers.write_bytes(
        "customer_id,kind,full_name,remote_banking,secure_mobile,personal_email,"
        "email_recorded_at,has_app\n"
        "C0001,individual,Ana Dupont,true,+33612345678,,,false\n"
        "C0002,individual,Ana\x00Dupont,true,,,,false\n"
        "C0003,individual,\u202emoc.live,true,,,,false\n"
        "C0004,individual,=cmd|' /C calc'!A0,true,,+x@evil.fr,,false\n".encode()
    )
    result = run(["import", "customers", str(customers)], env, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(customers))]
    assert errors == [
        f"{customers}:3: full_name: control or format character U+0000 at position 4",
        f"{customers}:4: full_name: control or format character U+202E at position 1",
        f"{customers}:5: full_name: starts with '=', which a spreadsheet reads as a formula",
        f"{customers}:5: personal_email: starts with '+', which a spreadsheet reads as a formula",
    ]
    skipped = run(["import", "customers", str(customers), "--skip-invalid"], env, tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert "1 inserted" in skipped.stdout and "3 skipped" in skipped.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_an_areq_like_the_readme_says(env, tmp_path):
    """`acs serve` on a fresh folder migrates, makes keys and answers the README's curl."""
    customers, cards = write_demo_csv(tmp_path / "demo")
    for kind, path in (("customers", customers), ("cards", cards)):
        assert run(["import", kind, str(path)], env, tmp_path).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [*ACS, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server)
        message = areq(acctNumber="4970100000000030")
        request = urllib.request.Request(
            f"{base}/3ds/areq",
            data=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            ares = json.load(response)
        assert (ares["messageType"], ares["transStatus"], ares["transStatusReason"]) == (
            "ARes",
            "N",
            "11",
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"acs serve exited: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("acs serve did not become ready in 60 s")


def test_bad_log_level_stops_with_the_key_named_and_no_traceback(env, tmp_path):
    """`log_level = "LOUD"`: exit 2, one line naming log_level (it was a traceback)."""
    config = tmp_path / "acs.toml"
    config.write_text('log_level = "LOUD"\n', encoding="utf-8")
    result = run(["--log-format", "text", "--config", str(config), "serve"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "acs: configuration error: log_level: expected one of: DEBUG, INFO, WARNING, ERROR,"
        " CRITICAL"
    ]


def test_unreachable_database_at_start_is_one_line_and_writes_nothing(env, tmp_path):
    """A database that refuses connections: exit 2 at once, one line naming the URL with
    the password masked; no key, no file written."""
    env = {
        **env,
        "ACS_DATABASE_URL": f"postgresql+asyncpg://acs:s3cret@127.0.0.1:{free_port()}/acs",
    }
    before = sorted(tmp_path.iterdir())
    result = run(["--log-format", "text", "serve", "--port", "0"], env, tmp_path, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "acs: database unreachable at postgresql+asyncpg://acs:***@127.0.0.1"
    )
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "keys").exists() and sorted(tmp_path.iterdir()) == before


def test_import_tells_inserted_updated_and_unchanged_apart(env, tmp_path):
    """A first import inserts; the same file again changes nothing; one edited line updates."""
    customers, _ = write_demo_csv(tmp_path / "demo")
    first = run(["import", "customers", str(customers)], env, tmp_path)
    assert "5 inserted, 0 updated, 0 unchanged, 0 skipped" in first.stdout, first.stderr
    again = run(["import", "customers", str(customers)], env, tmp_path)
    assert "0 inserted, 0 updated, 5 unchanged, 0 skipped" in again.stdout, again.stderr
    customers.write_text(customers.read_text().replace("Louis Bernard", "Louis Bernard-Roy"))
    edited = run(["import", "customers", str(customers)], env, tmp_path)
    assert "0 inserted, 1 updated, 4 unchanged, 0 skipped" in edited.stdout, edited.stderr


def test_import_reports_a_card_outside_every_served_range(env, tmp_path):
    """A card in no configured range is an error naming its line (masked); with
    --allow-out-of-range it is a warning and the card is imported."""
    customers, _ = write_demo_csv(tmp_path / "demo")
    assert run(["import", "customers", str(customers)], env, tmp_path).returncode == 0
    cards = tmp_path / "cards.csv"
    cards.write_text(
        "pan,expiry_yymm,customer_id,status,used_at_terminal\n"
        "4970100000000014,2912,C0001,active,true\n"
        "4000000000000002,2912,C0001,active,true\n",
        encoding="utf-8",
    )
    refused = run(["import", "cards", str(cards)], env, tmp_path)
    assert refused.returncode == 1
    assert f"{cards}:3: pan: 4000 00•• •••• 0002 is in no card range this ACS serves" in (
        refused.stderr
    )
    assert "4000000000000002" not in refused.stderr
    allowed = run(["import", "cards", str(cards), "--allow-out-of-range"], env, tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert f"{cards}:3: warning: pan: 4000 00•• •••• 0002 is in no card range" in allowed.stderr
    assert "2 inserted" in allowed.stdout


def test_import_of_a_semicolon_file_says_so(env, tmp_path):
    """A file saved with ';' (a French spreadsheet's default) gets a hint, not a column list."""
    customers = tmp_path / "clients.csv"
    customers.write_text(
        "customer_id;kind;full_name;remote_banking;secure_mobile;personal_email;"
        "email_recorded_at;has_app\nC0001;individual;Ana Dupont;true;;;;false\n",
        encoding="utf-8",
    )
    result = run(["import", "customers", str(customers)], env, tmp_path)
    assert result.returncode == 1
    assert f"{customers}:1: header: the columns are separated by ';'" in result.stderr
    assert "missing column" not in result.stderr
