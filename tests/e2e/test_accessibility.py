"""axe-core in the page (axe-playwright-python): no serious or critical violation on the
phone page's screens nor on the shop's pages (WCAG 2.1 AA, colour contrast included)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import CODE
from tests.e2e.steps import challenge, open_phone, pay, verdict

SERIOUS = ("serious", "critical")


async def violations(page: Any) -> list[str]:
    """The serious and critical axe-core violations of ``page``, as "rule: target" lines."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


async def test_phone_screens(camille, context) -> None:
    """Home, operation, keypad, refusal dialog and result screens of the phone page."""
    phone = await open_phone(context, camille)
    await phone.wait_for_selector("#home")
    assert await violations(phone) == []
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.wait_for_selector("#operation")
    assert await violations(phone) == []
    await phone.click("#refuse")
    await phone.wait_for_selector("#refuse-dialog")
    assert await violations(phone) == []
    await phone.click("#refuse-back")
    await phone.click("#approve")
    await phone.wait_for_selector("#keypad")
    assert await violations(phone) == []
    for digit in CODE:
        await phone.keyboard.press(digit)
    await phone.wait_for_selector("#result")
    assert await violations(phone) == []
    await verdict(shop, camille)


async def test_new_phone_login(merchant, context) -> None:
    """The new phone's 'Connexion à Banxo' form."""
    phone = await open_phone(context, merchant, 2)
    await phone.wait_for_selector("#login-form")
    assert await violations(phone) == []


async def test_shop_pages(merchant, context) -> None:
    """Sale, product, cart, checkout (also with an error) and a result page."""
    page = await context.new_page()
    shop = merchant.simulators.shop_url
    for path in ("/", "/produit/veste-lin", "/panier?produit=baskets-cuir",
                 "/paiement?produit=baskets-cuir"):  # fmt: skip
        await page.goto(shop + path)
        assert await violations(page) == [], path
    await page.fill("#card_number", "4970 1000 0000 0015")
    await page.click("#pay")
    await page.wait_for_selector("#form-error")
    assert await violations(page) == []
    result = await pay(context, merchant, product="tshirt-bio", card="4970 1000 0000 0030")
    await verdict(result, merchant)
    assert await violations(result) == []


async def test_axe_reports_what_the_shop_had(browser) -> None:
    """The check can fail: the shop's former grey #999 on white, and a label-less input."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.set_content(
        '<html lang="fr"><title>t</title><main><p style="color:#999;background:#fff">'
        'Livraison offerte</p><input type="text"></main></html>'
    )
    found = await violations(page)
    await context.close()
    assert [line.split(":")[0] for line in found] == ["color-contrast", "label"]
