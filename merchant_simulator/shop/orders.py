"""The shop's orders, in memory (a simulator), replaced and never mutated."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["Order", "Orders"]


@dataclass(frozen=True)
class Order:
    order_id: str
    product_id: str
    amount: int  # euro cents
    holder_name: str
    card_last4: str
    trans_id: str = ""


class Orders:
    def __init__(self) -> None:
        self._items: dict[str, Order] = {}

    def add(self, order: Order) -> Order:
        self._items[order.order_id] = order
        return order

    def get(self, order_id: str) -> Order | None:
        return self._items.get(order_id)

    def update(self, order_id: str, **changes: Any) -> Order:
        updated = dataclasses.replace(self._items[order_id], **changes)
        self._items[order_id] = updated
        return updated
