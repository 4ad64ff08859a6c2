"""The Banxo phone page's screens in Chromium: what each result says, where the focus goes,
the code typed on a keyboard, the clock in the bank's time zone, the home after a decision.
"""

from __future__ import annotations

from merchant_simulator.phone.answers import display_amount
from tests.e2e.conftest import CODE
from tests.e2e.steps import challenge, open_phone, pay, verdict


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


async def focused_id(phone) -> str:
    return await phone.evaluate("document.activeElement && document.activeElement.id")


async def test_approved_by_keyboard_says_where_to_go(camille, context) -> None:
    """SP-52: the operation screen gets the focus; the code typed on the keyboard approves;
    the result names amount and merchant, sends the customer back to the merchant's site,
    repeats no sentence; the home then shows the last operation."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.wait_for_selector("#operation")
    assert await phone.evaluate("document.activeElement.tagName") == "H1"
    await phone.click("#approve")
    await phone.wait_for_selector("#keypad")
    assert await phone.evaluate("document.activeElement.tagName") == "H1"
    for digit in CODE:
        await phone.keyboard.press(digit)
    await phone.wait_for_selector("#result.approved")
    assert await focused_id(phone) == "result-title"
    assert await phone.text_content("#result-title") == "Paiement validé"
    said = lines(await phone.inner_text("#result"))
    assert "Vous avez validé le paiement de 41,99\u00a0€ chez showroomprive.com." in said
    assert any("Retournez sur le site du marchand" in line for line in said)
    assert len(said) == len(set(said))
    assert (await verdict(shop, camille))[0] == "Paiement accepté"
    await phone.click("#result-ok")
    await phone.wait_for_selector("#last-operation")
    assert "41,99\u00a0€ chez showroomprive.com, validé le" in await phone.inner_text(
        "#last-operation"
    )


async def test_refused_says_fraud_opposition_and_what_next(camille, context) -> None:
    """SP-54, SP-55: the confirmation dialog gets the focus; the result says the operation is
    cancelled, that it is a fraud declaration, that the card is opposed and what happens next,
    each once; the home shows the opposed card."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.click("#refuse")
    await phone.wait_for_selector("#refuse-dialog")
    assert await focused_id(phone) == "refuse-title"
    await phone.click("#refuse-confirm")
    await phone.wait_for_selector("#result.refused")
    assert await focused_id(phone) == "result-title"
    said = lines(await phone.inner_text("#result"))
    assert said[0] == "Opération annulée"
    text = " ".join(said)
    for expected in ("déclaration de fraude", "•••• 0014 est mise en opposition",
                     "nouvelle carte"):  # fmt: skip
        assert expected in text
    assert len(said) == len(set(said)) and text.count("Opération annulée") == 1
    await phone.click("#result-ok")
    await phone.wait_for_selector("#card-opposed")
    assert "•••• 0014 en opposition" in await phone.inner_text("#card-opposed")


async def test_clock_is_the_banks_time_zone(merchant, browser) -> None:
    """The status-bar clock shows Paris time even on a computer set to another zone."""
    context = await browser.new_context(locale="fr-FR", timezone_id="America/New_York")
    try:
        phone = await open_phone(context, merchant)
        shown = await phone.text_content("#clock")
        paris = await phone.evaluate(
            "new Intl.DateTimeFormat('fr-FR', {hour: '2-digit', minute: '2-digit',"
            " timeZone: 'Europe/Paris'}).format(new Date())"
        )
        local = await phone.evaluate(
            "String(new Date().getHours()).padStart(2, '0') + ':' +"
            " String(new Date().getMinutes()).padStart(2, '0')"
        )
        assert shown == paris and shown != local
    finally:
        await context.close()


def test_amounts_as_on_the_challenge_page() -> None:
    """Babel's French formats: euros, US dollars, a currency without decimals; never the
    numeric ISO code as a symbol."""
    assert display_amount({"amount_minor": 4199, "currency": "978", "exponent": 2}) == (
        "41,99\u00a0€"
    )
    assert display_amount({"amount_minor": 101, "currency": "840", "exponent": 2}) == (
        "1,01\u00a0$US"
    )
    assert display_amount({"amount_minor": 500, "currency": "392", "exponent": 0}) == (
        "500\u00a0JPY"
    )
