"""`acs serve` with [listeners.*] configured, run as a real process: every listener answers."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.areqs import areq
from tests.pki import TestCa
from tests.test_cli import env  # noqa: F401  (the same subprocess environment)

LINE = re.compile(r"acs: serving (ds|public|admin) on (https?)://127\.0\.0\.1:(\d+)")


def write_config(folder: Path, acs_ca: TestCa, visa_ca: TestCa) -> Path:
    server = acs_ca.issue("127.0.0.1")
    config = folder / "acs.toml"
    config.write_text(
        f"""
[listeners.ds]
port = 0
tls_cert = "{server.cert}"
tls_key = "{server.key}"

[listeners.public]
port = 0

[listeners.admin]
port = 0

[schemes.visa]
ds_client_ca = "{visa_ca.bundle}"
""",
        encoding="utf-8",
    )
    return config


def serving_lines(server: subprocess.Popen, count: int, timeout: float = 60) -> list[str]:
    """The first ``count`` "serving" lines ``acs serve`` logs, within ``timeout`` seconds."""
    assert server.stderr is not None
    fd, buffered, deadline = server.stderr.fileno(), b"", time.monotonic() + timeout

    def found() -> list[str]:
        return [line for line in buffered.decode().splitlines() if LINE.match(line)]

    while len(found()) < count:
        left = deadline - time.monotonic()
        if left <= 0 or server.poll() is not None:
            raise AssertionError(f"acs serve printed {buffered!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            buffered += os.read(fd, 4096)
    return found()


def get(url: str, context: ssl.SSLContext | None = None, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_serve_starts_every_configured_listener(env, tmp_path):  # noqa: F811
    """One line per listener; admin serves /readyz, ds an AReq over mutual TLS, public not."""
    acs_ca, visa_ca = TestCa(tmp_path / "pki", "acs"), TestCa(tmp_path / "pki", "visa")
    visa_ds = visa_ca.issue("visa ds", client=True)
    config = write_config(tmp_path, acs_ca, visa_ca)
    server = subprocess.Popen(
        [sys.executable, "-m", "acs.cli", "--log-format", "text", "--config", str(config), "serve"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        lines = serving_lines(server, 3)
        urls = {m[1]: f"{m[2]}://127.0.0.1:{m[3]}" for m in map(LINE.match, lines) if m}
        assert set(urls) == {"ds", "public", "admin"}, lines
        assert urls["ds"].startswith("https://")
        # The sockets listen before the workers are up: the first call waits in the backlog
        # for as long as a worker takes to start (seconds on a loaded machine).
        assert get(f"{urls['admin']}/readyz", timeout=60) == 200
        assert get(f"{urls['public']}/readyz") == 404
        request = urllib.request.Request(
            f"{urls['ds']}/3ds/areq",
            data=json.dumps(areq(acctNumber="4970100000000030")).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(
            request, timeout=10, context=visa_ds.client_context(trust=acs_ca)
        ) as answer:
            assert json.load(answer)["messageType"] == "ARes"
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(request, timeout=10, context=acs_ca.client_context())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0  # SIGTERM: a clean shutdown
