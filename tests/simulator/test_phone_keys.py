"""The simulated phone's key file and its independence from the server code."""

from __future__ import annotations

import ast
import json
import stat
from pathlib import Path

import pytest

import merchant_simulator.phone as phone_package
from merchant_simulator.phone import PhoneKeys


def test_keys_round_trip_through_the_file(tmp_path: Path) -> None:
    """Keys, device id and counter survive save/load; the file is private (0600)."""
    keys = PhoneKeys.generate(biometric=True)
    keys.device_id, keys.counter = "dev-9", 41
    path = tmp_path / "phone.json"
    keys.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = PhoneKeys.load(path)
    assert loaded.possession_jwk() == keys.possession_jwk()
    assert loaded.biometric_jwk() == keys.biometric_jwk()
    assert (loaded.device_id, loaded.next_counter()) == ("dev-9", 42)


def test_keys_without_biometrics(tmp_path: Path) -> None:
    """The biometric key is optional (SP-23)."""
    keys = PhoneKeys.generate()
    keys.save(tmp_path / "p.json")
    assert PhoneKeys.load(tmp_path / "p.json").biometric is None


def test_mismatched_key_file_is_refused(tmp_path: Path) -> None:
    """A file whose public part does not match the private key is refused."""
    keys, other = PhoneKeys.generate(), PhoneKeys.generate()
    keys.save(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text())
    data["possession"]["x"] = other.possession_jwk()["x"]
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(ValueError):
        PhoneKeys.load(tmp_path / "p.json")


def test_phone_library_never_imports_the_server() -> None:
    """The phone is written independently: no import of acs at all."""
    for source in Path(phone_package.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "acs" or n.startswith("acs.") for n in names), source
