"""What the shop is told at start."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ShopConfig"]


@dataclass(frozen=True)
class ShopConfig:
    """``threeds_server_url`` is the 3DS Server base URL (its ``/api/transactions``).

    ``public_url`` is the shop's own base URL as browsers reach it (for ``returnURL``); when empty
    it is taken from each request.
    """

    threeds_server_url: str
    public_url: str = ""
    name: str = "Vente Privée Démo"
    timeout_s: float = 20.0
