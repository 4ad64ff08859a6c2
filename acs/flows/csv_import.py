"""Bulk import of customers and cards from CSV (``acs import customers|cards FILE``).

Formats (architecture §3; a header row is required, columns in any order)::

    customers: customer_id,kind,full_name,remote_banking,secure_mobile,personal_email,
               email_recorded_at,has_app
    cards:     pan,expiry_yymm,customer_id,status,used_at_terminal[,opposition_reason]

Booleans are ``true|false``; timestamps ISO 8601 in UTC (``2026-01-31T10:00:00Z``); an empty
optional field is ``NULL``. A PAN has 13 to 19 digits and a valid Luhn check digit (ISO/IEC
7812-1); a card's customer must already exist. ``opposition_reason`` (``lost_stolen|fraud``) is
only allowed on an ``opposed`` card.

The source is a file, or the same rows in memory (the header first: ``acs demo`` loads its
cards so, and writes no PAN to disk); both go through the one reader below.

A card whose PAN falls in no served card range (``card_ranges``) could never be authenticated
by this ACS: it is an error on its line, or with ``allow_out_of_range`` a warning and the card is
imported anyway. A header that is one column holding ``;`` is a file saved with semicolons (a
French spreadsheet's default): the error says so.

The whole file is validated before anything is written. With errors and ``skip_invalid=False``
nothing is imported and every bad line is reported (by line number and field); with
``skip_invalid=True`` the good lines are imported and the bad ones reported. Imports upsert (by
customer id, by PAN), so running one twice leaves the same state. A PAN never appears in an error
message: only its mask (first six, last four digits) does.

What a field may hold (issue #12 point 7; the values end up on challenge pages, in SMS and in
whatever spreadsheet a bank's staff opens them with):

- no Unicode control or format character (:func:`acs.text.first_unsafe`: NUL, CR, LF, TAB, ESC
  of ANSI sequences, bidi overrides and isolates, zero-width characters …) in any field: the
  line is refused with the field and the code point (``customers.csv:7: full_name: control or
  format character U+202E at position 1``), never the value;
- no spreadsheet formula in a free-text field (``customer_id``, ``full_name``,
  ``personal_email``): a value starting with ``=``, ``+``, ``-`` or ``@`` is refused. The one
  legitimate leading ``+``, that of an international mobile number, is in ``secure_mobile``,
  whose pattern allows digits and spaces only after it, so it can never be a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TextIO

from acs.config import CardRange
from acs.crypto.pan import PanVault, mask_pan
from acs.csv_columns import CARD_COLUMNS, CARD_OPTIONAL, CUSTOMER_COLUMNS
from acs.domain import CardStatus, CustomerKind, Opposition
from acs.storage import cards as card_store
from acs.storage import customers as customer_store
from acs.storage.customers import CustomerRecord, UpsertCounts
from acs.storage.engine import Sessions
from acs.text import first_unsafe

__all__ = ["ImportSummary", "LineError", "Source", "import_csv", "luhn_valid"]

Kind = Literal["customers", "cards"]
# A CSV file, or its rows in memory (the header row first).
Source = str | os.PathLike[str] | Sequence[Sequence[str]]
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000
SEMICOLONS = (
    "the columns are separated by ';' (a French spreadsheet's default): save the file as CSV"
    " with ',' as the field separator (LibreOffice: Field delimiter ','; Excel: CSV UTF-8,"
    " comma delimited)"
)


@dataclass(frozen=True)
class LineError:
    """What is wrong on one line; ``field`` is a column name, or ``header``/``line``/``file``."""

    line_no: int
    field: str
    message: str


@dataclass(frozen=True)
class ImportSummary:
    """The outcome: lines read, rows inserted, updated (changed) and unchanged, lines skipped,
    every error and every warning."""

    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    errors: tuple[LineError, ...] = ()
    unchanged: int = 0
    warnings: tuple[LineError, ...] = ()

    @property
    def upserted(self) -> int:
        return self.inserted + self.updated


class _Bad(Exception):
    """One field's value is wrong; the message must never contain a PAN."""


async def import_csv(
    kind: Kind,
    source: Source,
    *,
    sessions: Sessions,
    vault: PanVault,
    skip_invalid: bool,
    progress: Progress | None = None,
    now: datetime,
    ranges: Sequence[CardRange] | None = None,
    allow_out_of_range: bool = False,
) -> ImportSummary:
    """Validate the whole file, then upsert its rows in one transaction (see module docs).

    ``ranges``: the served card ranges (None: not checked)."""
    if kind not in ("customers", "cards"):
        raise ValueError(f"unknown import kind {kind!r}: expected customers or cards")
    lines, problems = _read(source, kind)
    if problems:
        return ImportSummary(kind, read=len(lines), skipped=len(lines), errors=tuple(problems))
    parsed, errors = _parse_all(kind, lines)
    warnings: list[LineError] = []
    if kind == "cards":
        errors += await _unknown_customers(sessions, parsed)
        outside = _out_of_range(parsed, ranges)
        (warnings if allow_out_of_range else errors).extend(outside)
    errors.sort(key=lambda e: e.line_no)
    bad = {e.line_no for e in errors}
    if errors and not skip_invalid:
        return ImportSummary(kind, read=len(lines), skipped=len(lines), errors=tuple(errors))
    good = [record for line_no, record in parsed if line_no not in bad]
    counts = await _write(kind, good, sessions, vault, progress, now)
    return ImportSummary(
        kind, len(lines), counts.inserted, counts.updated, len(bad), tuple(errors),
        unchanged=counts.unchanged, warnings=tuple(warnings),
    )  # fmt: skip


# --- reading -------------------------------------------------------------------------------


Line = tuple[int, dict[str, str]]


def _read(source: Source, kind: Kind) -> tuple[list[Line], list[LineError]]:
    """The data lines as (line number, column → stripped value), or file-level errors."""
    lines: list[Line] = []
    try:
        with _open(source) as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            problems = _check_header(header, kind)
            if problems:
                return [], problems
            for line_no, row in _rows(reader):
                if len(row) != len(header):
                    lines.append((line_no, {"": f"expected {len(header)} fields, got {len(row)}"}))
                else:
                    lines.append(
                        (line_no, dict(zip(header, (v.strip() for v in row), strict=True)))
                    )
    except UnicodeDecodeError:
        return lines, [LineError(len(lines) + 2, "file", "not UTF-8 text")]
    except csv.Error as exc:
        return lines, [LineError(len(lines) + 2, "line", f"not valid CSV: {exc}")]
    return lines, []


def _open(source: Source) -> TextIO:
    """The CSV text: the file, or the rows in memory written as CSV text (never to disk), so
    both are read, numbered and checked alike."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, newline="", encoding="utf-8-sig")
    text = io.StringIO(newline="")
    csv.writer(text).writerows(source)
    text.seek(0)
    return text


def _rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the number of the line each starts on."""
    previous_end = reader.line_num
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if any(field.strip() for field in row):
            yield start, row


def _check_header(header: list[str], kind: Kind) -> list[LineError]:
    required = CUSTOMER_COLUMNS if kind == "customers" else CARD_COLUMNS
    allowed = set(required) | (set(CARD_OPTIONAL) if kind == "cards" else set())
    if not any(header):
        return [LineError(1, "header", f"missing header row: {','.join(required)}")]
    if len(header) == 1 and header[0].count(";") >= 1:
        return [LineError(1, "header", SEMICOLONS)]
    errors = [LineError(1, "header", f"missing column {c}") for c in required if c not in header]
    errors += [LineError(1, "header", f"unknown column {c!r}") for c in header if c not in allowed]
    if len(set(header)) != len(header):
        errors.append(LineError(1, "header", "a column is repeated"))
    return errors


# --- validating ----------------------------------------------------------------------------


def _parse_all(kind: Kind, lines: list[Line]) -> tuple[list[tuple[int, Any]], list[LineError]]:
    parse = _customer if kind == "customers" else _card
    parsed: list[tuple[int, Any]] = []
    errors: list[LineError] = []
    first_seen: dict[str, int] = {}
    for line_no, values in lines:
        if "" in values:
            errors.append(LineError(line_no, "line", values[""]))
            continue
        record, line_errors = parse(line_no, values)
        errors += line_errors
        if record is None:
            continue
        key = record.id if isinstance(record, CustomerRecord) else record.pan
        if key in first_seen:
            field = "customer_id" if kind == "customers" else "pan"
            errors.append(LineError(line_no, field, f"duplicate of line {first_seen[key]}"))
            continue
        first_seen[key] = line_no
        parsed.append((line_no, record))
    return parsed, errors


def _fields(line_no: int, values: dict[str, str], parsers: dict[str, Callable]) -> tuple:
    """Run each column's parser; collect every failure instead of stopping at the first."""
    out, errors = {}, []
    for name, parse in parsers.items():
        try:
            out[name] = parse(_no_controls(values.get(name, "")))
        except _Bad as exc:
            errors.append(LineError(line_no, name, str(exc)))
    return out, errors


def _no_controls(value: str) -> str:
    found = first_unsafe(value)
    if found is not None:  # the position and code point only: the value may be a PAN
        raise _Bad(f"control or format character {found[1]} at position {found[0] + 1}")
    return value


def _customer(line_no: int, values: dict[str, str]) -> tuple[CustomerRecord | None, list]:
    out, errors = _fields(line_no, values, _CUSTOMER_PARSERS)
    if errors:
        return None, errors
    out["id"] = out.pop("customer_id")
    return CustomerRecord(**out), []


@dataclass(frozen=True)
class _CardLine:
    """A valid card line; the PAN stays in memory only until it is sealed."""

    pan: str
    expiry_yymm: str
    customer_id: str
    status: CardStatus
    opposition_reason: Opposition | None
    used_at_terminal: bool


def _card(line_no: int, values: dict[str, str]) -> tuple[_CardLine | None, list]:
    out, errors = _fields(line_no, values, _CARD_PARSERS)
    if not errors and out["opposition_reason"] and out["status"] is not CardStatus.OPPOSED:
        errors.append(LineError(line_no, "opposition_reason", "only for an opposed card"))
    return (None if errors else _CardLine(**out)), errors


def _out_of_range(
    parsed: list[tuple[int, Any]], ranges: Sequence[CardRange] | None
) -> list[LineError]:
    if ranges is None:
        return []
    return [
        LineError(line_no, "pan", f"{mask_pan(card.pan)} is in no card range this ACS serves"
                  " (card_ranges)")
        for line_no, card in parsed
        if not any(r.contains(card.pan) for r in ranges)
    ]  # fmt: skip


async def _unknown_customers(sessions: Sessions, parsed: list[tuple[int, Any]]) -> list[LineError]:
    wanted = sorted({card.customer_id for _, card in parsed})
    async with sessions() as session:
        known = await customer_store.known_ids(session, wanted)
    return [
        LineError(line_no, "customer_id", f"unknown customer {card.customer_id!r}")
        for line_no, card in parsed
        if card.customer_id not in known
    ]


# --- field parsers -------------------------------------------------------------------------

_MOBILE = re.compile(r"\+?[0-9][0-9 ]{5,19}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def luhn_valid(digits: str) -> bool:
    """True when the last digit is the Luhn (mod 10) check digit of the others."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _pan(value: str) -> str:
    if not (value.isascii() and value.isdigit() and 13 <= len(value) <= 19):
        raise _Bad("expected 13 to 19 digits")
    if not luhn_valid(value):
        raise _Bad(f"wrong check digit (Luhn) in {mask_pan(value)}")
    return value


def _safe(value: str) -> str:
    """Show a value in a message, masked if it looks like a PAN typed in the wrong column."""
    digits = value.replace(" ", "")
    return mask_pan(digits) if digits.isdigit() and len(digits) >= 13 else value[:40]


FORMULA_LEADS = ("=", "+", "-", "@")


def _no_formula(parse: Callable[[str], str]) -> Callable[[str], str]:
    """A free-text field: refuse a leading ``= + - @``, which spreadsheets run as a formula."""

    def checked(value: str) -> str:
        if value.startswith(FORMULA_LEADS):
            raise _Bad(f"starts with {value[0]!r}, which a spreadsheet reads as a formula")
        return parse(value)

    return checked


def _customer_id(value: str) -> str:
    if not value or len(value) > 32 or not value.isprintable():
        raise _Bad(f"expected 1 to 32 printable characters, got {_safe(value)!r}")
    return value


def _choice(cls: type[StrEnum]) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            return cls(value)
        except ValueError:
            names = "|".join(m.value for m in cls)
            raise _Bad(f"expected {names}, got {_safe(value)!r}") from None

    return parse


def _optional(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda value: parse(value) if value else None


def _boolean(value: str) -> bool:
    if value not in ("true", "false"):
        raise _Bad(f"expected true|false, got {_safe(value)!r}")
    return value == "true"


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value or len(value) > limit:
            raise _Bad(f"expected 1 to {limit} characters")
        return value

    return parse


def _pattern(regex: re.Pattern, what: str, limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit or not regex.fullmatch(value):
            raise _Bad(f"expected {what}, got {_safe(value)!r}")
        return value

    return parse


def _utc_timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"expected an ISO 8601 timestamp, got {_safe(value)!r}") from None
    offset = moment.utcoffset()
    if offset is None or offset.total_seconds() != 0:
        raise _Bad("expected a UTC timestamp (ending in Z or +00:00)")
    return moment


def _expiry(value: str) -> str:
    if not (len(value) == 4 and value.isdigit() and 1 <= int(value[2:]) <= 12):
        raise _Bad(f"expected YYMM, got {_safe(value)!r}")
    return value


_CUSTOMER_PARSERS: dict[str, Callable[[str], Any]] = {
    "customer_id": _no_formula(_customer_id),
    "kind": _choice(CustomerKind),
    "full_name": _no_formula(_text(200)),
    "remote_banking": _boolean,
    "secure_mobile": _optional(_pattern(_MOBILE, "a phone number", 32)),
    "personal_email": _optional(_no_formula(_pattern(_EMAIL, "an e-mail address", 254))),
    "email_recorded_at": _optional(_utc_timestamp),
    "has_app": _boolean,
}
_CARD_PARSERS: dict[str, Callable[[str], Any]] = {
    "pan": _pan,
    "expiry_yymm": _expiry,
    "customer_id": _no_formula(_customer_id),
    "status": _choice(CardStatus),
    "opposition_reason": _optional(_choice(Opposition)),
    "used_at_terminal": _boolean,
}


# --- writing -------------------------------------------------------------------------------


def _seal(card: _CardLine, vault: PanVault) -> card_store.CardRecord:
    kid, blob = vault.seal(card.pan)
    return card_store.CardRecord(
        pan_hmac=vault.lookup_key(card.pan),
        pan_kid=kid,
        pan_ciphertext=blob,
        bin6=card.pan[:6],
        last4=card.pan[-4:],
        expiry_yymm=card.expiry_yymm,
        customer_id=card.customer_id,
        status=card.status,
        opposition_reason=card.opposition_reason,
        used_at_terminal=card.used_at_terminal,
    )


async def _write(
    kind: Kind,
    records: Sequence[Any],
    sessions: Sessions,
    vault: PanVault,
    progress: Progress | None,
    now: datetime,
) -> UpsertCounts:
    """Upsert everything in one transaction: a failure leaves the database untouched."""
    inserted = updated = unchanged = 0
    async with sessions.begin() as session:
        for start in range(0, len(records), PROGRESS_EVERY):
            chunk = records[start : start + PROGRESS_EVERY]
            if kind == "customers":
                counts = await customer_store.upsert_many(session, chunk, now=now)
            else:
                sealed = [_seal(card, vault) for card in chunk]
                counts = await card_store.upsert_many(session, sealed, now=now)
            inserted, updated = inserted + counts.inserted, updated + counts.updated
            unchanged += counts.unchanged
            if progress is not None:
                progress(start + len(chunk), len(records))
    return UpsertCounts(inserted, updated, unchanged)
