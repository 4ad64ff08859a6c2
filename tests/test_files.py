"""Owner-only files (files 0600, folders 0700) for the keys, the database and the demo's data,
and no full PAN on disk from the demo outside its database."""

from __future__ import annotations

import contextlib
import os
import queue
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from acs.config import Settings
from acs.crypto.keys import init_keys
from acs.demo import DEMO_CARDS, demo_rows
from acs.flows.csv_import import import_csv
from acs.storage.engine import make_engine, make_sessionmaker
from tests.test_cli import ACS, _wait_ready, free_port

DEV_WARNING = 'acs: warning: development server (profile = "development")'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_owner_only(root: Path) -> None:
    """``root`` and every folder under it 0700, every file 0600."""
    assert mode(root) == 0o700, root
    for path in root.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), (path, oct(mode(path)))


@contextlib.contextmanager
def loose_umask() -> Iterator[None]:
    """The usual 022, so a mode that is right is right because of the code, not the umask."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACS_")}
    here = str(Path(__file__).resolve().parents[1])
    return {**env, "PYTHONPATH": here, "ACS_LOG_FORMAT": "text", **extra}


def test_keys_init_command_makes_owner_only_keys(tmp_path):
    """After `acs keys init` the keys folder is 0700 and every key file 0600."""
    keys = tmp_path / "var" / "keys"
    result = subprocess.run([*ACS, "keys", "init"], env=clean_env(ACS_KEYS_DIR=str(keys)),
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_owner_only(tmp_path / "var")
    assert {p.name for p in keys.iterdir()} >= {
        "secrets.json",
        "ds-ca.pem",
        "acs-signing-chain.pem",
    }


def test_init_keys_sets_modes_itself_and_tightens_old_dev_keys(tmp_path):
    """init_keys writes 0600/0700 under a 022 umask, and tightens an older 0755/0644 layout."""
    keys = tmp_path / "keys"
    with loose_umask():
        init_keys(keys, Settings().card_ranges)
        assert_owner_only(keys)
        os.chmod(keys, 0o755)
        os.chmod(keys / "ds-ca.pem", 0o644)  # what earlier versions left
        assert init_keys(keys, Settings().card_ranges) == []
    assert_owner_only(keys)


async def test_sqlite_database_is_created_owner_only(tmp_path):
    """A new SQLite database is 0600 in a new 0700 folder, and its -wal and -shm files too."""
    database = tmp_path / "var" / "db" / "acs.db"
    with loose_umask():
        engine = make_engine(f"sqlite+aiosqlite:///{database}")
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE t (x INTEGER)"))
                await connection.execute(text("INSERT INTO t VALUES (1)"))
            async with engine.connect() as connection:
                await connection.execute(text("SELECT x FROM t"))
                assert {p.name for p in database.parent.iterdir()} == {
                    "acs.db", "acs.db-wal", "acs.db-shm"
                }  # fmt: skip
                assert_owner_only(tmp_path / "var")
        finally:
            await engine.dispose()


async def test_sqlite_folder_that_exists_is_left_alone(tmp_path):
    """An existing folder (it may be the working directory) keeps its mode; the file is 0600."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    (folder / "acs.db").touch(mode=0o644)
    os.chmod(folder / "acs.db", 0o644)
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'acs.db'}")
    await engine.dispose()
    assert (mode(folder), mode(folder / "acs.db")) == (0o755, 0o600)


def _read_lines(stream, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _wait_for(lines: queue.Queue[str], needle: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if needle in lines.get(timeout=0.5):
                return
        except queue.Empty:
            if server.poll() is not None:
                raise AssertionError(f"exited: {server.stderr.read()}") from None
    raise AssertionError(f"{needle!r} not printed in 90 s")


def _stop(server: subprocess.Popen) -> str:
    server.terminate()
    _, err = server.communicate(timeout=20)
    return err


def test_serve_creates_an_owner_only_database_and_warns_once(tmp_path):
    """`acs serve` in development prints the warning once and leaves var/ (database and
    keys) owner-only."""
    port = free_port()
    env = clean_env(ACS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'acs.db'}")
    server = subprocess.Popen(
        [*ACS, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", server)
        assert (tmp_path / "var" / "acs.db").is_file() and (tmp_path / "var" / "keys").is_dir()
        assert_owner_only(tmp_path / "var")
    finally:
        err = _stop(server)
    assert err.count(DEV_WARNING) == 1, err
    warning = next(line for line in err.splitlines() if DEV_WARNING in line)
    assert "dev SMS inbox at /dev/sms" in warning and "dev keys generated in" in warning


@pytest.fixture
def demo_run(tmp_path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """`acs demo` on free ports, running until its banner is printed, in a folder an earlier
    version left: var/demo at 0755 with the cards (full PANs) in cards.csv."""
    demo = tmp_path / "var" / "demo"
    demo.mkdir(parents=True)
    os.chmod(demo, 0o755)
    (demo / "cards.csv").write_text("pan\n" + DEMO_CARDS[0].pan + "\n", encoding="utf-8")
    ports = [free_port() for _ in range(5)]
    args = ["demo", "--port", str(ports[0])]
    for name, port in zip(("shop", "ds", "threeds", "phone"), ports[1:], strict=True):
        args += [f"--{name}-port", str(port)]
    server = subprocess.Popen([*ACS, *args], env=clean_env(), cwd=tmp_path, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True).start()
    try:
        _wait_for(lines, "Sécur'Pass ACS demo", server)
        yield tmp_path / "var", server
    finally:
        if server.poll() is None:
            _stop(server)


def test_demo_leaves_no_pan_on_disk_outside_the_database(demo_run):
    """Once `acs demo` is up (cards loaded, Camille's phone enrolled), no file under var/
    except the database holds a demo PAN, and the old cards.csv is gone."""
    var, _ = demo_run
    assert not (var / "demo" / "cards.csv").exists()
    assert list((var / "demo" / "phones").glob("phone-1*.json"))  # the phone's files exist
    pans = [card.pan.encode() for card in DEMO_CARDS]
    scanned = [p for p in var.rglob("*") if p.is_file() and not p.name.startswith("acs.db")]
    assert len(scanned) > 5
    for path in scanned:
        content = path.read_bytes()
        assert not [pan for pan in pans if pan in content], path


def test_demo_files_are_owner_only_and_it_warns_once(demo_run):
    """Under `acs demo`, var/demo (database, phone keys) and var/keys are owner-only, the old
    var/demo tightened; one warning line."""
    var, server = demo_run
    assert (var / "demo" / "acs.db").is_file() and (var / "demo" / "phones").is_dir()
    assert_owner_only(var / "demo")
    assert_owner_only(var / "keys")
    err = _stop(server)
    assert err.count(DEV_WARNING) == 1, err


async def test_rows_in_memory_import_like_a_file(database_url, app_vault, clock, tmp_path):
    """The importer reads rows in memory through the same reader: the same lines, numbers and
    errors as the file (a bad check digit on line 3)."""
    engine = make_engine(database_url)
    options = {"vault": app_vault, "skip_invalid": False, "now": clock.now()}
    options["sessions"] = make_sessionmaker(engine)
    cards = demo_rows("cards")
    bad_pan = cards[2][0][:-1] + "9"
    cards[2] = [bad_pan, *cards[2][1:]]
    path = tmp_path / "cards.csv"
    path.write_text("\n".join(",".join(row) for row in cards) + "\n", encoding="utf-8")
    try:
        await import_csv("customers", demo_rows("customers"), **options)
        from_memory = await import_csv("cards", cards, **options)
        from_file = await import_csv("cards", path, **options)
    finally:
        await engine.dispose()
    assert from_memory == from_file
    assert [(e.line_no, e.field) for e in from_memory.errors] == [(3, "pan")]
    assert bad_pan not in repr(from_memory)
