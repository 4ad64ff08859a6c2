"""The shop in real Chromium: JavaScript collects the browser data, the 3DS Method runs."""

from __future__ import annotations

TIMEOUT_MS = 20_000


async def test_frictionless_low_value_purchase_in_chromium(merchant, browser, artifacts) -> None:
    """Sale → product → cart → checkout, 20 € on 4970100000000014: 'Paiement accepté'."""
    context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(f"{merchant.shop_url}/")
    await page.click("a[href='/produit/tshirt-bio']")
    await page.click("#add-to-cart")
    await page.click("#checkout")
    await page.fill("#card_number", "4970 1000 0000 0014")
    await page.fill("#expiry", "12/29")
    await page.fill("#cvv", "123")
    await page.fill("#holder", "Camille Martin")
    await page.click("#pay")
    await page.wait_for_url(f"{merchant.shop_url}/commande/*", timeout=TIMEOUT_MS)
    title = await page.text_content("#verdict")
    await page.screenshot(path=str(artifacts / "frictionless-20-eur.png"), full_page=True)
    user_agent = await page.evaluate("navigator.userAgent")
    await context.close()
    assert title == "Paiement accepté"
    [transaction] = merchant.transactions.all()
    areq = transaction.areq
    assert areq["browserUserAgent"] == user_agent
    assert areq["browserAcceptHeader"].startswith("text/html")
    assert (areq["browserScreenWidth"], areq["browserScreenHeight"]) == ("1280", "900")
    assert areq["browserLanguage"] == "fr-FR"
    assert areq["browserJavascriptEnabled"] is True
    assert areq["browserIP"] == "127.0.0.1"
    # The ACS's 3DS Method page answers within the limit once it exists; until then: N.
    assert areq["threeDSCompInd"] in ("Y", "N")
