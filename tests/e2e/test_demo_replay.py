"""The demo can be replayed: the same browser meets the same stories again in one run.

After a first challenge the browser is known to the ACS; with the demo's risk settings
(``acs.demo.DEMO_RISK``) the 41,99 € baskets still need SCA every time, and the TRA exemption
has its own item (the linen jacket, for which the merchant asks acquirer TRA).
"""

from __future__ import annotations

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
