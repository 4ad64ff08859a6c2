"""The generated schemas: valid Draft 2020-12, reproducible, and faithful to the field tables."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from acs.protocol.validation import FORMAT_CHECKER, SCHEMA_DIR

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*/*.json"))
FIELDS = ROOT / "spec" / "fields"  # the field tables the schemas are built from


TABLES = {"AReq": "areq", "ARes": "ares", "CRes": "cres", "RReq": "rreq", "Erro": "erro"}
# Rows replaced on purpose by scripts/build_schemas.py (see schemas/README.md).
OVERRIDDEN = {
    ("AReq", "sdkEphemPubKey"),
    ("AReq", "threeDSRequestorChallengeInd"),
    ("CRes", "transStatus"),
    ("RReq", "transStatus"),
    ("Erro", "errorCode"),
    ("Erro", "errorMessageType"),
}


def test_every_message_and_version_has_a_schema() -> None:
    """Seven messages × three versions."""
    assert len(SCHEMA_FILES) == 21


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    """Each schema file passes the 2020-12 metaschema."""
    document = json.loads(path.read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)


def test_build_is_deterministic(tmp_path: Path) -> None:
    """Rebuilding from the tables reproduces the committed schemas byte for byte."""
    script = ROOT / "scripts" / "build_schemas.py"
    subprocess.run([sys.executable, script, FIELDS, tmp_path], check=True)
    for path in SCHEMA_FILES:
        rebuilt = tmp_path / path.parent.name / path.name
        assert rebuilt.read_text() == path.read_text(), path


def violations(constraints: str) -> list[str]:
    """Values that break a ``constraints`` text."""
    bad = []
    if m := re.search(r"Max length: (\d+)", constraints):
        bad.append("9" * (int(m.group(1)) + 1))
    if "Regexp:" in constraints or "One of:" in constraints or "Must be:" in constraints:
        bad.append("#not-a-code#")
    return bad


def table_rows(message: str, version: str) -> list[dict]:
    stem = TABLES[message]
    path = FIELDS / f"{stem}_{version.replace('.', '')}.json"
    return json.loads(path.read_text())


@pytest.mark.parametrize("version", ["2.1.0", "2.2.0", "2.3.1"])
@pytest.mark.parametrize("message", sorted(TABLES))
def test_schema_enforces_table_constraints(message: str, version: str) -> None:
    """Every table field is in the schema; its length/regex/enum constraints reject bad values."""
    document = json.loads((SCHEMA_DIR / version / f"{message}.json").read_text())
    for row in table_rows(message, version):
        if row["name"] == "ds" or (message, row["name"]) in OVERRIDDEN:
            continue
        prop = document["properties"][row["name"]]
        if row["type"] != "string":
            continue
        check = Draft202012Validator(
            {**prop, "$defs": document.get("$defs", {})}, format_checker=FORMAT_CHECKER
        )
        for value in violations(row.get("constraints", "")):
            assert not check.is_valid(value), (row["name"], value)


def test_creq_table_fields_are_in_every_creq_schema() -> None:
    """The browser CReq fields of creq.json appear in each version's CReq schema."""
    names = {r["name"] for r in json.loads((FIELDS / "creq.json").read_text())}
    for version in ("2.1.0", "2.2.0", "2.3.1"):
        document = json.loads((SCHEMA_DIR / version / "CReq.json").read_text())
        assert names <= set(document["properties"])


def test_outgoing_schemas_are_closed() -> None:
    """Messages the ACS sends allow no extra top-level fields."""
    for version in ("2.1.0", "2.2.0", "2.3.1"):
        for message in ("ARes", "CRes", "RReq", "Erro"):
            document = json.loads((SCHEMA_DIR / version / f"{message}.json").read_text())
            assert document["additionalProperties"] is False
