"""The demo can be replayed: the same browser meets the same stories again in one run.

After a first challenge the browser is known to the ACS; with the demo's risk settings
(``acs.demo.DEMO_RISK``) the 41,99 € baskets still need SCA every time, and the TRA exemption
has its own item (the linen jacket, for which the merchant asks acquirer TRA).
"""

from __future__ import annotations

from acs.demo import RESET_PATH
from tests.e2e.conftest import CODE
from tests.e2e.steps import JACKET, challenge, open_phone, pay, type_code, verdict


async def test_baskets_are_challenged_every_time(camille, context) -> None:
    """Two 41,99 € purchases from the same browser: both open a challenge (code, then
    biometrics), both are accepted; the known browser does not make the second frictionless."""
    phone = await open_phone(context, camille)
    first = await pay(context, camille)
    await challenge(first)
    await type_code(phone, CODE)
    assert (await verdict(first, camille))[0] == "Paiement accepté"
    await phone.click("#result-ok")
    second = await pay(context, camille)
    await challenge(second)
    await phone.wait_for_selector("#operation")
    await phone.click("#approve")
    await phone.click("#use-biometrics")
    await phone.wait_for_selector("#result.approved")
    assert (await verdict(second, camille))[0] == "Paiement accepté"


async def test_jacket_shows_the_tra_exemption(camille, context) -> None:
    """The jacket (89 €): the merchant asks for acquirer TRA, the ACS grants it (Y, no
    challenge), and the shop says the payment needed no authentication."""
    shop = await pay(context, camille, product=JACKET)
    title, body = await verdict(shop, camille)
    assert title == "Paiement accepté"
    assert "exemption" in body
    assert await shop.locator("#challenge").count() == 0


async def test_refusal_can_be_replayed_after_the_cards_are_reset(
    camille, acs_server, context
) -> None:
    """A refusal opposes the card (SP-55); the demo's 'Rétablir les cartes de démo' puts it
    back, and the same browser refuses again: the refusal story twice in one run."""
    phone = await open_phone(context, camille)
    for _ in range(2):
        shop = await pay(context, camille)
        await challenge(shop)
        await phone.wait_for_selector("#operation")
        await phone.click("#refuse")
        await phone.click("#refuse-confirm")
        await phone.wait_for_selector("#result.refused")
        assert (await verdict(shop, camille))[0] == "Paiement refusé par vous"
        await phone.click("#result-ok")
        reset = await context.new_page()
        await reset.goto(f"{acs_server.url}{RESET_PATH}")
        await reset.click("#reset-cards")
        await reset.wait_for_selector("#reset-done")
        await reset.close()
