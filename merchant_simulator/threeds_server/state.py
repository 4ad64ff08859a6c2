"""Transactions of the 3DS Server, kept in memory (a simulator) and replaced, never mutated."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from merchant_simulator.threeds_server.browser import BrowserInfo

__all__ = ["Card", "Purchase", "Transaction", "Transactions"]


@dataclass(frozen=True)
class Card:
    number: str
    expiry_yymm: str
    holder_name: str


@dataclass(frozen=True)
class Purchase:
    """An amount in minor units (purchaseAmount), ISO 4217 numeric currency and exponent."""

    amount: int
    currency: str = "978"
    exponent: int = 2


@dataclass(frozen=True)
class Transaction:
    """One authentication, from the shop's request to the final outcome.

    ``method`` is ``none`` (no 3DS Method URL for the range), ``started`` or ``done``.
    The messages are kept as received (JSON objects).
    """

    trans_id: str
    card: Card
    purchase: Purchase
    browser: BrowserInfo
    return_url: str
    session_data: str
    created_at: datetime
    challenge_ind: str = ""  # the merchant's threeDSRequestorChallengeInd (else the config's)
    version: str = ""
    method_url: str | None = None
    method: str = "none"
    method_started_at: datetime | None = None
    comp_ind: str = ""
    areq: Mapping[str, Any] | None = None
    ares: Mapping[str, Any] | None = None
    erro: Mapping[str, Any] | None = None
    cres: Mapping[str, Any] | None = None
    rreq: Mapping[str, Any] | None = None

    @property
    def challenged(self) -> bool:
        return self.ares is not None and self.ares.get("transStatus") == "C"


class Transactions:
    """The transactions keyed by threeDSServerTransID."""

    def __init__(self) -> None:
        self._items: dict[str, Transaction] = {}

    def add(self, transaction: Transaction) -> Transaction:
        self._items[transaction.trans_id] = transaction
        return transaction

    def all(self) -> list[Transaction]:
        return list(self._items.values())

    def get(self, trans_id: object) -> Transaction | None:
        return self._items.get(trans_id) if isinstance(trans_id, str) else None

    def update(self, trans_id: str, **changes: Any) -> Transaction:
        """Replace the transaction with a copy carrying ``changes``; return the new one."""
        updated = dataclasses.replace(self._items[trans_id], **changes)
        self._items[trans_id] = updated
        return updated
