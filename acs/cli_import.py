"""``acs import customers|cards FILE``: a progress bar, a summary line (inserted, updated,
unchanged, skipped), every bad line listed, and a warning for each card outside every served
range with ``--allow-out-of-range`` (without it, such a card is an error)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from acs.clock import SystemClock
from acs.config import Settings
from acs.crypto.keys import KeyRing, init_keys
from acs.crypto.pan import PanVault
from acs.flows.csv_import import ImportSummary, Kind, Source, import_csv
from acs.flows.health import DatabaseUnreachable, check_database
from acs.storage.engine import make_engine, make_sessionmaker, upgrade

__all__ = ["ImportOptions", "import_source", "run_import"]


@dataclass(frozen=True)
class ImportOptions:
    """``--skip-invalid`` and ``--allow-out-of-range``."""

    skip_invalid: bool = False
    allow_out_of_range: bool = False


async def run_import(kind: Kind, file: str, settings: Settings, options: ImportOptions) -> int:
    if not Path(file).is_file():
        print(f"acs: import: no such file: {file}", file=sys.stderr)
        return 2
    return await import_source(kind, file, settings, options=options, label=file)


async def import_source(
    kind: Kind, source: Source, settings: Settings, *, options: ImportOptions, label: str
) -> int:
    """Import a file or rows in memory (``label`` names it in the report); the exit status."""
    try:  # before anything is written: no key made for a database that is not there
        await check_database(settings.database_url, timeout=settings.db_connect_timeout_seconds)
    except DatabaseUnreachable as exc:
        print(f"acs: import: {exc}", file=sys.stderr)
        return 2
    if not settings.production:  # production keys are the bank's, never generated
        init_keys(settings.keys_dir, settings.card_ranges)
    keys = KeyRing.load(settings.keys_dir)
    await upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        summary = await import_csv(
            kind,
            source,
            sessions=make_sessionmaker(engine),
            vault=PanVault(keys.pan_hmac, keys.pan_keys, keys.pan_active_kid),
            skip_invalid=options.skip_invalid,
            progress=_progress_bar(),
            now=SystemClock().now(),
            ranges=settings.card_ranges,
            allow_out_of_range=options.allow_out_of_range,
        )
    finally:
        await engine.dispose()
    return _report(kind, label, summary, options.skip_invalid)


def _report(kind: str, file: str, summary: ImportSummary, skip_invalid: bool) -> int:
    for error in summary.errors:
        print(f"{file}:{error.line_no}: {error.field}: {error.message}", file=sys.stderr)
    if not summary.errors or skip_invalid:
        for warning in summary.warnings:
            print(
                f"{file}:{warning.line_no}: warning: {warning.field}: {warning.message};"
                " imported (--allow-out-of-range)",
                file=sys.stderr,
            )
    if summary.errors and not skip_invalid:
        print(
            f"acs: import {kind}: {len(summary.errors)} error(s) in {file}; nothing imported "
            "(fix the file, or pass --skip-invalid to import the valid lines)",
            file=sys.stderr,
        )
        return 1
    print(
        f"acs: import {kind}: {summary.read} line(s) read: {summary.inserted} inserted, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.skipped} skipped"
    )
    return 0


def _progress_bar():
    """Draw a bar on stderr when it is a terminal; stay quiet in pipes and CI logs."""
    if not sys.stderr.isatty():
        return None

    def draw(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r  [{bar}] {done:>9,}/{total:,}", end=end, file=sys.stderr, flush=True)

    return draw
