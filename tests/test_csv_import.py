"""CSV import of customers and cards: validate everything, then upsert idempotently."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from acs.csv_columns import CARD_COLUMNS, CUSTOMER_COLUMNS
from acs.flows.csv_import import import_csv, luhn_valid
from acs.storage import cards
from acs.storage.models import Card, Customer

HEADER = {"customers": ",".join(CUSTOMER_COLUMNS), "cards": ",".join(CARD_COLUMNS)}


def pan(n: int, prefix: str = "497010") -> str:
    """A 16-digit test PAN in a dev range, with its Luhn check digit."""
    body = f"{prefix}{n:09d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def customer(i: int, **change: str) -> str:
    fields = {
        "customer_id": f"C{i:06d}",
        "kind": "individual",
        "full_name": f"Client {i}",
        "remote_banking": "true",
        "secure_mobile": "+33612345678",
        "personal_email": f"client{i}@example.fr",
        "email_recorded_at": "2025-01-02T03:04:05Z",
        "has_app": "false",
        **change,
    }
    return ",".join(fields[c] for c in CUSTOMER_COLUMNS)


def card(i: int, customer_id: str = "C000001", status: str = "active") -> str:
    return f"{pan(i)},2812,{customer_id},{status},false"


def write(tmp_path: Path, kind: str, lines: Sequence[str], header: str | None = None) -> Path:
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join([header or HEADER[kind], *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def run(sessions, vault, clock):
    async def _run(kind: str, path: Path, skip_invalid: bool = False, progress=None):
        return await import_csv(
            kind,
            path,
            sessions=sessions,
            vault=vault,
            skip_invalid=skip_invalid,
            progress=progress,
            now=clock.now(),
        )

    return _run


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_good_files_import(tmp_path, run, sessions, vault) -> None:
    """Customers then their cards import, and a card is found by its PAN HMAC."""
    summary = await run("customers", write(tmp_path, "customers", [customer(1), customer(2)]))
    assert (summary.read, summary.inserted, summary.errors) == (2, 2, ())
    summary = await run("cards", write(tmp_path, "cards", [card(1), card(2, "C000002")]))
    assert (summary.read, summary.inserted, summary.skipped) == (2, 2, 0)
    async with sessions() as session:
        found = await cards.get_by_hmac(session, vault.lookup_key(pan(2)))
    assert found is not None and found.customer.id == "C000002"
    assert vault.open(found.pan_kid, found.pan_ciphertext) == pan(2)


async def test_bad_file_lists_every_bad_line_and_imports_nothing(tmp_path, run, sessions) -> None:
    """Every bad line is reported by number and field, and not a single row is written."""
    lines = [
        customer(1),
        customer(2, kind="robot", has_app="yes"),
        customer(3),
        customer(4, email_recorded_at="2025-01-02T03:04:05+02:00"),
        "C000005,individual,too few",
        customer(1),
    ]
    summary = await run("customers", write(tmp_path, "customers", lines))
    found = {(e.line_no, e.field) for e in summary.errors}
    assert found == {
        (3, "kind"),
        (3, "has_app"),
        (5, "email_recorded_at"),
        (6, "line"),
        (7, "customer_id"),
    }
    assert summary.upserted == 0 and summary.skipped == 6
    assert await count(sessions, Customer) == 0


async def test_card_errors_never_show_the_pan(tmp_path, run, sessions) -> None:
    """A bad check digit, an unknown customer and a bad status are reported with a masked PAN."""
    await run("customers", write(tmp_path, "customers", [customer(1)]))
    wrong_luhn = pan(7)[:-1] + str((int(pan(7)[-1]) + 1) % 10)
    lines = [
        card(1),
        f"{wrong_luhn},2812,C000001,active,false",
        card(3, "C999999"),
        card(4, status="lost"),
    ]
    summary = await run("cards", write(tmp_path, "cards", lines))
    assert {(e.line_no, e.field) for e in summary.errors} == {
        (3, "pan"),
        (4, "customer_id"),
        (5, "status"),
    }
    text = " ".join(e.message for e in summary.errors)
    for number in (wrong_luhn, pan(3), pan(4)):
        assert number not in text
    assert "4970 10•• •••• " in text
    assert await count(sessions, Card) == 0


async def test_skip_invalid_imports_the_good_lines(tmp_path, run, sessions) -> None:
    """With skip_invalid the valid lines are imported and the bad ones reported and skipped."""
    lines = [customer(1), customer(2, remote_banking="maybe"), customer(3)]
    summary = await run("customers", write(tmp_path, "customers", lines), skip_invalid=True)
    assert (summary.inserted, summary.skipped) == (2, 1)
    assert [(e.line_no, e.field) for e in summary.errors] == [(3, "remote_banking")]
    assert await count(sessions, Customer) == 2


async def test_reimport_is_idempotent(tmp_path, run, sessions) -> None:
    """Importing the same files twice leaves the same rows; the second run only updates."""
    customers = write(tmp_path, "customers", [customer(1)])
    cards_file = write(tmp_path, "cards", [card(1), card(2, status="opposed")])
    await run("customers", customers)
    await run("cards", cards_file)
    snapshot = await _cards(sessions)
    again = await run("cards", cards_file)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert await _cards(sessions) == snapshot


async def test_reimport_applies_changes(tmp_path, run, sessions) -> None:
    """A changed status in a later file updates the existing card."""
    await run("customers", write(tmp_path, "customers", [customer(1)]))
    await run("cards", write(tmp_path, "cards", [card(1)]))
    header = HEADER["cards"] + ",opposition_reason"
    await run("cards", write(tmp_path, "cards", [card(1, status="opposed") + ",fraud"], header))
    rows = await _cards(sessions)
    assert [(r[4], r[5]) for r in rows] == [("opposed", "fraud")]


async def test_header_is_required(tmp_path, run) -> None:
    """A file without the expected header is refused at line 1."""
    summary = await run("cards", write(tmp_path, "cards", [card(1)], header=card(0)))
    assert summary.errors and {e.line_no for e in summary.errors} == {1}


async def test_ten_thousand_rows_import_fast(tmp_path, run, sessions) -> None:
    """10 000 cards import in a few seconds, with progress reported along the way."""
    await run("customers", write(tmp_path, "customers", [customer(1)]))
    path = write(tmp_path, "cards", [card(i) for i in range(10_000)])
    seen: list[tuple[int, int]] = []
    started = time.perf_counter()
    summary = await run("cards", path, progress=lambda done, total: seen.append((done, total)))
    elapsed = time.perf_counter() - started
    assert summary.inserted == 10_000 and await count(sessions, Card) == 10_000
    assert seen[-1] == (10_000, 10_000) and len(seen) >= 10
    assert elapsed < 15, f"10 000 cards took {elapsed:.1f} s"


async def _cards(sessions) -> list[tuple]:
    async with sessions() as session:
        rows = await session.scalars(select(Card).order_by(Card.id))
        return [
            (
                c.id,
                c.pan_hmac,
                c.pan_ciphertext,
                c.customer_id,
                c.status,
                c.opposition_reason,
                c.updated_at,
            )
            for c in rows
        ]


UNSAFE_VALUES = {
    "NUL": ("Ana\x00Dupont", "U+0000 at position 4"),
    "ANSI escape": ("\x1b[31mAna", "U+001B at position 1"),
    "bidi override": ("\u202emoc.live\u202c", "U+202E at position 1"),
    "isolate": ("Ana \u2066Dupont", "U+2066 at position 5"),
    "zero-width space": ("Ana\u200bDupont", "U+200B at position 4"),
    "CR/LF in a quoted field": ('"Ana\r\nDupont"', "U+000D at position 4"),
    "TAB": ("Ana\tDupont", "U+0009 at position 4"),
}


@pytest.mark.parametrize(("name", "where"), UNSAFE_VALUES.values(), ids=UNSAFE_VALUES.keys())
async def test_control_and_format_characters_are_refused(tmp_path, run, sessions, name, where):
    """A control, bidi or zero-width character in full_name refuses the line, naming field
    and code point (on PostgreSQL a NUL used to end in a traceback)."""
    lines = [customer(1), customer(2, full_name=name)]
    summary = await run("customers", write(tmp_path, "customers", lines))
    (error,) = summary.errors
    assert (error.line_no, error.field) == (3, "full_name")
    assert error.message == f"control or format character {where}"
    assert await count(sessions, Customer) == 0
    skipped = await run("customers", write(tmp_path, "customers", lines), skip_invalid=True)
    assert (skipped.inserted, skipped.skipped) == (1, 1)


async def test_a_nul_in_any_field_is_refused_without_echoing_the_value(tmp_path, run, sessions):
    """NUL in an e-mail, a card's PAN or its customer id: refused per field; no PAN shown."""
    await run("customers", write(tmp_path, "customers", [customer(1)]))
    email = await run(
        "customers", write(tmp_path, "customers", [customer(2, personal_email="a\x00@b.fr")])
    )
    assert [(e.line_no, e.field) for e in email.errors] == [(2, "personal_email")]
    lines = [
        f"{pan(5)[:8]}\x00{pan(5)[8:]},2812,C000001,active,false",
        f"{pan(6)},2812,C0\x1b01,active,false",
    ]
    summary = await run("cards", write(tmp_path, "cards", lines))
    assert [(e.line_no, e.field) for e in summary.errors] == [(2, "pan"), (3, "customer_id")]
    assert pan(5)[:8] not in " ".join(e.message for e in summary.errors)
    assert await count(sessions, Card) == 0


FORMULAS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"https://evil.example\",\"x\")", "@SUM(A1:A9)",
            "-2+3+cmd|' /C calc'!A0", "=1+1"]  # fmt: skip


@pytest.mark.parametrize("formula", FORMULAS)
async def test_formula_leading_values_are_refused_in_text_fields(tmp_path, run, sessions, formula):
    """customer_id, full_name and personal_email refuse a value starting with = + - @."""
    quoted = '"' + formula.replace('"', '""') + '"'
    lines = [
        customer(1, full_name=quoted),
        customer(2, customer_id=quoted),
        customer(3, personal_email=f"{formula[0]}evil@x.fr"),
    ]
    summary = await run("customers", write(tmp_path, "customers", lines))
    assert [(e.line_no, e.field) for e in summary.errors] == [
        (2, "full_name"),
        (3, "customer_id"),
        (4, "personal_email"),
    ]
    assert all("spreadsheet reads as a formula" in e.message for e in summary.errors)
    assert await count(sessions, Customer) == 0


async def test_an_international_mobile_keeps_its_plus_and_names_their_hyphens(tmp_path, run):
    """The legitimate cases: "+33 6…" in secure_mobile, a hyphen or @ inside a name."""
    lines = [customer(1, secure_mobile="+33 6 12 34 56 78", full_name="Jean-Marie d'Ormesson"),
             customer(2, full_name="Café @ Home SARL", personal_email="a-b@c-d.fr")]  # fmt: skip
    summary = await run("customers", write(tmp_path, "customers", lines))
    assert (summary.inserted, summary.errors) == (2, ())
