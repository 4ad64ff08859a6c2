"""Take the README's screenshots from a running ``acs demo`` (default ports) in Chromium.

    acs demo &                                  # then, once it prints its URLs:
    python -m tests.e2e.readme_screenshots      # writes docs/screenshots/*.png

With other ports: ``python -m tests.e2e.readme_screenshots SHOP_URL PHONE_BASE_URL``
(e.g. ``http://127.0.0.1:18100 http://127.0.0.1:18103``).

It shoots the new phone's "Connexion à Banxo", then buys the baskets (41,99 €) with Camille's
card and approves on the phone page, shooting the checkout, the challenge window, the phone's
operation and its result, and the shop's result on the way.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.simulator.conftest import CHROMIUM, CHROMIUM_ARGS

SHOP, PHONES = (
    sys.argv[1:3] + ["http://127.0.0.1:8100", "http://127.0.0.1:8103"][len(sys.argv[1:3]) :]
)
PHONE, NEW_PHONE = f"{PHONES}/phone/1", f"{PHONES}/phone/2"
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def main() -> int:
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 760})
        phone = await context.new_page()
        await phone.set_viewport_size({"width": 420, "height": 800})
        await phone.goto(NEW_PHONE)
        await phone.wait_for_selector("#login-form")
        await phone.screenshot(path=OUT / "login.png")
        await phone.goto(PHONE)
        await phone.wait_for_selector("#home")
        shop = await context.new_page()
        await shop.goto(f"{SHOP}/produit/baskets-cuir")
        await shop.click("#add-to-cart")
        await shop.click("#checkout")
        await shop.fill("#card_number", "4970 1000 0000 0014")
        await shop.fill("#expiry", "12/29")
        await shop.fill("#cvv", "123")
        await shop.fill("#holder", "Camille Martin")
        await shop.focus("#pay")
        await shop.screenshot(path=OUT / "checkout.png")
        await shop.click("#pay")
        await shop.frame_locator("#challenge").locator("#heading").wait_for()
        await shop.screenshot(path=OUT / "challenge.png")
        await phone.wait_for_selector("#operation")
        await phone.screenshot(path=OUT / "phone.png")
        await phone.click("#approve")
        for digit in "4826":
            await phone.click(f"#keypad [data-digit='{digit}']")
        await phone.wait_for_selector("#result")
        await phone.screenshot(path=OUT / "phone-result.png")
        await shop.wait_for_url(f"{SHOP}/commande/*")
        await shop.screenshot(path=OUT / "result.png")
        await browser.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
