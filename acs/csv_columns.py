"""The columns of the customers and cards CSV files that ``acs import`` reads.

One list for the importer that checks a file's header, the demo that writes its data as such
files, and the benchmarks that generate them (the README's "CSV formats" describes them).
"""

from __future__ import annotations

__all__ = ["CARD_COLUMNS", "CARD_HEADER", "CARD_OPTIONAL", "CUSTOMER_COLUMNS"]

CUSTOMER_COLUMNS = (
    "customer_id",
    "kind",
    "full_name",
    "remote_banking",
    "secure_mobile",
    "personal_email",
    "email_recorded_at",
    "has_app",
)
CARD_COLUMNS = ("pan", "expiry_yymm", "customer_id", "status", "used_at_terminal")  # required
CARD_OPTIONAL = ("opposition_reason",)
CARD_HEADER = CARD_COLUMNS + CARD_OPTIONAL  # every card column, in the order files are written
