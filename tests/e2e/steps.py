"""What a shopper and a cardholder do in the browser: buy, look at the challenge, use the phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from merchant_simulator.demo import MerchantDemo

TIMEOUT_MS = 20_000
BASKETS, TSHIRT = "baskets-cuir", "tshirt-bio"  # 41,99 € (SP-50) and 20 € (low value)
JACKET = "veste-lin"  # 89 €: the merchant asks for the acquirer TRA exemption
CAMILLE_CARD, LOUIS_CARD = "4970 1000 0000 0014", "4970 1000 0000 0022"


async def open_phone(context: Any, merchant: MerchantDemo, slot: int = 1) -> Any:
    """The phone page of ``slot``, once its first snapshot has arrived."""
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.set_viewport_size({"width": 420, "height": 800})
    await page.goto(f"{merchant.phone_url}/phone/{slot}")
    await page.wait_for_function("document.body.dataset.state !== undefined")
    return page


async def pay(
    context: Any, merchant: MerchantDemo, *, product: str = BASKETS, card: str = CAMILLE_CARD
) -> Any:
    """Sale → product → cart → checkout → "Payer" with ``card`` (12/29)."""
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(f"{merchant.simulators.shop_url}/")
    await page.click(f"a[href='/produit/{product}']")
    await page.click("#add-to-cart")
    await page.click("#checkout")
    await page.fill("#card_number", card)
    await page.fill("#expiry", "12/29")
    await page.fill("#cvv", "123")
    await page.fill("#holder", "Camille Martin")
    await page.click("#pay")
    return page


async def challenge(shop: Any) -> Any:
    """The ACS page in the 3DS Server's challenge iframe, once it shows its heading."""
    frame = shop.frame_locator("#challenge")
    await frame.locator("#heading").wait_for()
    return frame


async def verdict(shop: Any, merchant: MerchantDemo) -> tuple[str, str]:
    """The shop's result page: (title, detail)."""
    await shop.wait_for_url(f"{merchant.simulators.shop_url}/commande/*", timeout=TIMEOUT_MS)
    title = (await shop.text_content("#verdict")) or ""
    return title.strip(), (await shop.text_content("body")) or ""


async def type_code(phone: Any, code: str) -> None:
    """ "Valider", then the Sécur'Pass code on the keypad."""
    await phone.click("#approve")
    for digit in code:
        await phone.click(f"#keypad [data-digit='{digit}']")


async def snap(page: Any, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"e2e-{name}.png"), full_page=True)
