"""Facts of the bank's cards and customers that every layer speaks of.

One definition each: the risk engine reads them (:mod:`acs.risk`), Sécur'Pass eligibility reads
them (:mod:`acs.securpass.eligibility`), storage keeps their values in CHECK-constrained columns
(:mod:`acs.storage.models`) and the CSV import parses them. A leaf: it imports nothing of ``acs``,
so the pure cores (which may not import each other) can share it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CardStatus", "CustomerKind", "Opposition"]


class CardStatus(StrEnum):
    ACTIVE = "active"
    OPPOSED = "opposed"
    CANCELLED = "cancelled"


class Opposition(StrEnum):
    """Why an opposed card is opposed (decides transStatusReason 10 or 11)."""

    LOST_STOLEN = "lost_stolen"
    FRAUD = "fraud"


class CustomerKind(StrEnum):
    """SP-10: only individuals may enrol in Sécur'Pass."""

    INDIVIDUAL = "individual"
    BUSINESS = "business"
