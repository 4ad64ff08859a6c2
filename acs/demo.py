"""Demo data and ``acs demo``: the ACS on the embedded SQLite with test customers and cards.

The same data backs the README's table of dev test cards and the end-to-end tests.
The merchant shop, DS and phone simulators join ``acs demo`` with the merchant simulator.
"""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass
from pathlib import Path

from acs.config import Settings

__all__ = ["DEMO_CARDS", "DEMO_CUSTOMERS", "DemoCard", "run_demo", "write_demo_csv"]

CUSTOMER_FIELDS = (
    "customer_id",
    "kind",
    "full_name",
    "remote_banking",
    "secure_mobile",
    "personal_email",
    "email_recorded_at",
    "has_app",
)
CARD_FIELDS = (
    "pan",
    "expiry_yymm",
    "customer_id",
    "status",
    "used_at_terminal",
    "opposition_reason",
)

DEMO_CUSTOMERS = (
    (
        "C0001",
        "individual",
        "Camille Martin",
        "true",
        "+33612345678",
        "camille@example.test",
        "2025-01-15T10:00:00Z",
        "true",
    ),
    ("C0002", "individual", "Louis Bernard", "true", "+33698765432", "", "", "false"),
    ("C0003", "individual", "Chloé Petit", "true", "+33611112222", "", "", "true"),
    ("C0004", "individual", "Hugo Moreau", "false", "", "", "", "false"),
    ("C0005", "business", "Atelier Dubois SARL", "true", "+33633334444", "", "", "true"),
)


@dataclass(frozen=True)
class DemoCard:
    pan: str
    expiry_yymm: str
    customer_id: str
    status: str
    used_at_terminal: str
    opposition_reason: str
    shows: str  # what a 41,99 EUR payment with this card shows


DEMO_CARDS = (
    DemoCard(
        "4970100000000014",
        "2912",
        "C0001",
        "active",
        "true",
        "",
        "challenge (Sécur'Pass in the app once enrolled, SMS code before); ≤ 30 € is frictionless",
    ),
    DemoCard(
        "5132850000000016",
        "2912",
        "C0001",
        "active",
        "true",
        "",
        "same customer, Mastercard-style range (AAV, ECI 02)",
    ),
    DemoCard(
        "4970100000000022", "2912", "C0002", "active", "true", "", "SMS OTP challenge (no app)"
    ),
    DemoCard(
        "4970100000000030",
        "2912",
        "C0003",
        "opposed",
        "true",
        "fraud",
        "refused: N, reason 11 (opposed for fraud)",
    ),
    DemoCard(
        "4970100000000048",
        "2912",
        "C0004",
        "active",
        "true",
        "",
        "refused: N, reason 13 (no Sécur'Pass, no secure mobile)",
    ),
    DemoCard(
        "4970100000000055", "2401", "C0002", "active", "true", "", "refused: N, reason 05 (expired)"
    ),
    DemoCard(
        "4970100000000063",
        "2912",
        "C0002",
        "opposed",
        "true",
        "lost_stolen",
        "refused: N, reason 10 (lost or stolen)",
    ),
    DemoCard(
        "4970100000000071",
        "2912",
        "C0002",
        "cancelled",
        "true",
        "",
        "refused: N, reason 12 (cancelled)",
    ),
)


def write_demo_csv(folder: Path) -> tuple[Path, Path]:
    """Write the demo customers and cards as import CSV files; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    customers, cards = folder / "customers.csv", folder / "cards.csv"
    with customers.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CUSTOMER_FIELDS)
        writer.writerows(DEMO_CUSTOMERS)
    with cards.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CARD_FIELDS)
        writer.writerows([getattr(c, f) for f in CARD_FIELDS] for c in DEMO_CARDS)
    return customers, cards


def run_demo(settings: Settings) -> int:
    """Load the demo data, print the test cards, then serve the ACS until Ctrl-C."""
    from acs.cli import _prepare, _run_worker
    from acs.cli_import import run_import

    _prepare(settings)
    customers, cards = write_demo_csv(Path("var/demo"))
    for kind, path in (("customers", customers), ("cards", cards)):
        if asyncio.run(run_import(kind, str(path), settings, skip_invalid=False)) != 0:
            return 1
    print(demo_table())
    _run_worker(settings, reuse_port=False)
    return 0


def demo_table() -> str:
    lines = ["", "Test cards (any future expiry in the AReq; amounts in EUR):"]
    lines += [f"  {c.pan}  {c.shows}" for c in DEMO_CARDS]
    return "\n".join(lines) + "\n"
