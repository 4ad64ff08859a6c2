"""Synthetic customers and cards as the CSV files ``acs import`` reads, with Luhn-valid PANs.

PANs are drawn deterministically from the dev Visa-style range 4970100000000000–4970109999999999
(card ``i`` gets account number ``i``), so the same ``count`` always gives the same file.
"""

from __future__ import annotations

import csv
from pathlib import Path

from acs.csv_columns import CARD_HEADER, CUSTOMER_COLUMNS

__all__ = [
    "customer_id",
    "luhn_digit",
    "mobile_for",
    "pan_for",
    "write_cards",
    "write_customers",
    "write_pans",
]

PAN_PREFIX = "497010"  # dev range, 9 account digits + 1 check digit after it


def luhn_digit(partial: str) -> str:
    """The check digit that makes ``partial + digit`` pass the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        digit = int(char)
        if position % 2 == 0:  # doubled: these become odd positions once the digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def pan_for(index: int) -> str:
    """The ``index``-th benchmark PAN (0 ≤ index < 10**9)."""
    partial = f"{PAN_PREFIX}{index:09d}"
    return partial + luhn_digit(partial)


def customer_id(index: int) -> str:
    return f"B{index:09d}"


def mobile_for(index: int, *, prefix: str = "+336") -> str:
    """The secure mobile of customer ``index``: ``prefix`` and 8 digits."""
    return f"{prefix}{index % 100_000_000:08d}"


def write_customers(path: Path, start: int, stop: int, *, mobile_prefix: str = "+336") -> int:
    """Customers ``start..stop-1``: app users with a secure mobile (challenge → Sécur'Pass/SMS)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CUSTOMER_COLUMNS)
        for i in range(start, stop):
            mobile = mobile_for(i, prefix=mobile_prefix)
            writer.writerow(
                [customer_id(i), "individual", f"Bench {i}", "true", mobile, "", "", "true"]
            )
    return stop - start


def write_cards(path: Path, start: int, stop: int, *, used_at_terminal: bool = False) -> int:
    """Cards ``start..stop-1``, one per customer of the same index, active, expiring 12/2029.

    ``used_at_terminal`` makes the customer eligible for self-care Sécur'Pass (SP-14 (a)).
    """
    used = "true" if used_at_terminal else "false"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CARD_HEADER)
        for i in range(start, stop):
            writer.writerow([pan_for(i), "2912", customer_id(i), "active", used, ""])
    return stop - start


def write_pans(path: Path, count: int, *, limit: int = 200_000) -> Path:
    """A plain list of up to ``limit`` loaded PANs, one a line, for the load generators."""
    step = max(1, count // limit)
    with path.open("w") as out:
        out.writelines(pan_for(i) + "\n" for i in range(0, count, step))
    return path
