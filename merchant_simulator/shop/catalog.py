"""The demo flash sale: a few products with a sale price and the price before the sale."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOG", "Product", "euros", "find_product"]


@dataclass(frozen=True)
class Product:
    """A product on sale; prices in euro cents."""

    product_id: str
    brand: str
    name: str
    price: int
    was: int
    colors: tuple[str, str]  # the gradient standing in for a photo
    # threeDSRequestorChallengeInd the merchant sends; "05": it asks for the acquirer TRA
    # exemption (its own fraud rate is low enough), so the bank may skip the challenge.
    challenge_ind: str = ""

    @property
    def asks_tra(self) -> bool:
        return self.challenge_ind == "05"


CATALOG = (
    Product("baskets-cuir", "Maison Lumière", "Baskets en cuir blanc", 4199, 8900,
            ("#f3e7e9", "#e3eeff")),
    Product("tshirt-bio", "Atelier Sable", "T-shirt en coton bio", 2000, 3500,
            ("#fdfbfb", "#ebedee")),
    Product("cabas-toile", "Rivage", "Sac cabas en toile", 6490, 12900,
            ("#e0c3fc", "#8ec5fc")),
    Product("veste-lin", "Maison Lumière", "Veste en lin", 8900, 17900,
            ("#d4fc79", "#96e6a1"), challenge_ind="05"),
)  # fmt: skip


def find_product(product_id: object) -> Product | None:
    return next((p for p in CATALOG if p.product_id == product_id), None)


def euros(cents: int) -> str:
    """French display of an amount: ``41,99 €``."""
    whole, rest = divmod(cents, 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{grouped},{rest:02d}\u00a0€"
