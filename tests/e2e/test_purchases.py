"""Purchases at the demo shop in real Chromium, decided on the Banxo phone page or by SMS."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from acs.storage.securpass_models import FraudDeclarationRow
from acs.web.keys import SESSIONS, SETTINGS
from tests.e2e.conftest import CAMILLE_LOGIN, CAMILLE_MOBILE, CODE, sms_inbox
from tests.e2e.steps import (
    LOUIS_CARD,
    TSHIRT,
    challenge,
    open_phone,
    pay,
    snap,
    type_code,
    verdict,
)

# The ACS does not publish the device's hub key when a cancel or a timeout ends the operation:
# on PostgreSQL the phone's WebSocket learns it at its next 25-second re-read (1 s on SQLite).
PHONE_CLOSED_MS = 30_000


async def test_low_value_purchase_is_frictionless(merchant, context, artifacts) -> None:
    """The 20 € T-shirt on Camille's card: no challenge, 'Paiement accepté'."""
    shop = await pay(context, merchant, product=TSHIRT)
    title, _ = await verdict(shop, merchant)
    await snap(shop, artifacts, "frictionless-result")
    assert title == "Paiement accepté"
    assert await shop.locator("#challenge").count() == 0


async def test_app_approval_with_the_code(camille, context, artifacts) -> None:
    """SP-4, SP-50 … SP-53: a 41,99 € payment started in a desktop browser waits for the app;
    the phone shows merchant, amount and date; 'Valider' and the code 4826 approve it; the
    shop says 'Paiement accepté'."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    frame = await challenge(shop)
    await frame.get_by_text("Validez dans l'appli Banxo").wait_for()
    assert "41,99 €" in await frame.locator("main").inner_text()
    await snap(shop, artifacts, "challenge-oob")
    await phone.wait_for_selector("#operation")
    assert await phone.text_content("#op-merchant") == "showroomprive.com"
    assert await phone.text_content("#op-amount") == "41,99\u00a0€"
    assert re.fullmatch(r"29/11/2026 à \d\d:\d\d", await phone.text_content("#op-date") or "")
    await snap(phone, artifacts, "phone-operation")
    await type_code(phone, CODE)
    await phone.wait_for_selector("#result.approved")
    assert await phone.text_content("#result-title") == "Paiement validé"
    title, _ = await verdict(shop, camille)
    assert title == "Paiement accepté"


async def test_app_approval_with_biometrics(camille, context, artifacts) -> None:
    """'Valider' then 'Utiliser la biométrie' (enabled for payments at activation)."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await snap(shop, artifacts, "challenge-oob-biometrics")
    await phone.click("#approve")
    await phone.click("#use-biometrics")
    await phone.wait_for_selector("#result.approved")
    title, _ = await verdict(shop, camille)
    assert title == "Paiement accepté"


async def test_refusal_declares_fraud_and_blocks_the_card(
    camille, acs_server, context, artifacts
) -> None:
    """'Je refuse ce paiement', confirmed: the phone says the operation is cancelled (SP-54),
    the shop shows the refusal, a fraud declaration exists and the card's next payment is
    refused (N / 11)."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.click("#refuse")
    await phone.wait_for_selector("#refuse-dialog")
    await snap(phone, artifacts, "phone-refuse-confirm")
    await phone.click("#refuse-confirm")
    await phone.wait_for_selector("#result.refused")
    assert await phone.text_content("#result-title") == "Opération annulée"
    message = await phone.text_content("#result-message") or ""
    assert "L'opération de 41,99\u00a0€ sur showroomprive.com a bien été refusée" in message
    await snap(phone, artifacts, "phone-refused")
    title, body = await verdict(shop, camille)
    await snap(shop, artifacts, "refused-result")
    assert title == "Paiement refusé par vous"
    assert "déclaration de fraude" in body and "opposition" in body
    async with acs_server.app[SESSIONS]() as session:
        declarations = (await session.scalars(select(FraudDeclarationRow))).all()
    assert [(d.customer_id, d.amount_minor, d.payee, d.card_opposed) for d in declarations] == [
        ("C0001", 4199, "showroomprive.com", True)
    ]
    again = await pay(context, camille, product=TSHIRT)
    title, body = await verdict(again, camille)
    assert title == "Paiement refusé par votre banque"
    assert "suspicion de fraude" in body


async def test_sms_code_wrong_then_right(merchant, acs_server, context, artifacts) -> None:
    """Louis has no app: an SMS code page; a wrong code is counted, the right one pays."""
    shop = await pay(context, merchant, card=LOUIS_CARD)
    frame = await challenge(shop)
    await frame.get_by_text("Code reçu par SMS").first.wait_for()
    [text] = await sms_inbox(acs_server.url, "+33698765432", "otp")
    code = re.search(r"\b\d{6}\b", text).group(0)
    assert "41,99 €" in text and "showroomprive.com" in text
    wrong = "000000" if code != "000000" else "111111"
    await frame.locator("#code").fill(wrong)
    await frame.get_by_role("button", name="Valider").click()
    await frame.get_by_text("Code incorrect").wait_for()
    await snap(shop, artifacts, "challenge-otp-wrong")
    await frame.locator("#code").fill(code)
    await frame.get_by_role("button", name="Valider").click()
    title, _ = await verdict(shop, merchant)
    assert title == "Paiement accepté"


async def test_cancel_on_the_challenge_page(camille, context, artifacts) -> None:
    """'Annuler le paiement': the shop shows a cancelled operation, the phone drops it."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    frame = await challenge(shop)
    await phone.wait_for_selector("#operation")
    await frame.get_by_role("button", name="Annuler le paiement").click()
    title, body = await verdict(shop, camille)
    await snap(shop, artifacts, "cancelled-result")
    assert title == "Paiement annulé"
    assert "Vous avez annulé l'authentification." in body
    await phone.wait_for_selector("#no-operation", timeout=PHONE_CLOSED_MS)
    assert "annulée" in (await phone.text_content("#notice") or "")


async def test_challenge_timeout(camille, acs_server, clock, context, artifacts) -> None:
    """Nobody answers: past challenge_timeout_seconds (frozen clock moved on) the challenge
    ends N / 14 and the phone's operation expires."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.wait_for_selector("#operation")
    await snap(shop, artifacts, "challenge-before-timeout")
    clock.advance(seconds=acs_server.app[SETTINGS].challenge_timeout_seconds + 1)
    title, body = await verdict(shop, camille)
    assert title == "Délai dépassé"
    assert "pas été faite à temps" in body
    await phone.wait_for_selector("#no-operation", timeout=PHONE_CLOSED_MS)


@pytest.mark.parametrize(("size", "width"), [("01", 250), ("05", 1280)])
async def test_challenge_window_sizes(
    start_merchant, context, artifacts, size: str, width: int
) -> None:
    """challengeWindowSize 01 (250×400) and 05 (full page): the ACS page fits the iframe and
    keeps its buttons reachable; the payment completes."""
    merchant = await start_merchant(window_size=size)
    await merchant.enrol(1, CAMILLE_LOGIN, CAMILLE_MOBILE, CODE)
    phone = await open_phone(context, merchant)
    shop = await pay(context, merchant)
    frame = await challenge(shop)
    box = await shop.locator("#challenge").bounding_box()
    assert box is not None and abs(box["width"] - width) <= 2
    page_width = await frame.locator("body").evaluate("b => b.scrollWidth")
    assert page_width <= width
    await frame.get_by_role("button", name="Annuler le paiement").scroll_into_view_if_needed()
    await snap(shop, artifacts, f"challenge-window-{size}")
    await type_code(phone, CODE)
    title, _ = await verdict(shop, merchant)
    assert title == "Paiement accepté"


async def test_sms_codes_all_wrong(merchant, acs_server, context, artifacts) -> None:
    """Every SMS code attempt wrong (otp_max_attempts): the shop says the code was wrong and
    what to do, not that the cardholder refused or cancelled."""
    shop = await pay(context, merchant, card=LOUIS_CARD)
    frame = await challenge(shop)
    await frame.get_by_text("Code reçu par SMS").first.wait_for()
    [text] = await sms_inbox(acs_server.url, "+33698765432", "otp")
    code = re.search(r"\b\d{6}\b", text).group(0)
    wrong = "000000" if code != "000000" else "111111"
    attempts = acs_server.app[SETTINGS].otp_max_attempts
    for left in range(attempts - 1, -1, -1):
        await frame.locator("#code").fill(wrong)
        await frame.get_by_role("button", name="Valider").click()
        if left:
            await frame.get_by_text(f"Il vous reste {left} essai").wait_for()
    title, body = await verdict(shop, merchant)
    await snap(shop, artifacts, "wrong-codes-result")
    assert title == "Code incorrect : paiement refusé"
    assert await shop.get_attribute("#outcome", "data-outcome") == "wrong_codes"
    assert "code reçu par SMS" in body
