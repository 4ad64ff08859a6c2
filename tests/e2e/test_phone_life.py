"""The Banxo phone page's own life: the bank login, activation on the page, transfer to a new
phone (SP-40), settings (SP-23, SP-24, SP-44) and closure (SP-43), an ineligible customer
(SP-14)."""

from __future__ import annotations

import aiohttp
import pytest

from merchant_simulator.idp import DEMO_USERS
from merchant_simulator.phone import Phone, PhoneError, PhoneKeys
from tests.e2e.conftest import CAMILLE_LOGIN, CAMILLE_MOBILE, CODE
from tests.e2e.steps import challenge, open_phone, pay, snap, type_code, verdict
from tests.phones import signing_clock

NEW_CODE = "5937"
CHLOE_LOGIN = next((u.identifier, u.password) for u in DEMO_USERS if u.subject == "C0003")


async def log_in(phone, login: tuple[str, str]) -> None:
    """ "Connexion à Banxo": the remote-banking identifier and password, by the keyboard."""
    identifier, password = login
    await phone.get_by_label("Identifiant client").fill(identifier)
    await phone.get_by_label("Mot de passe").fill(password)
    await phone.keyboard.press("Enter")


async def activate_on_page(phone, login: tuple[str, str], mobile: str, code: str) -> None:
    """Log in, then SP-20: ask for the SMS, copy its code, choose the Sécur'Pass code,
    activate."""
    await log_in(phone, login)
    await phone.wait_for_selector("#logged-in")
    await phone.fill("#mobile", mobile)
    await phone.click("#activate-start")
    await phone.wait_for_selector("#sms-text")
    await phone.click("#fill-code")
    await phone.fill("#new-code", code)
    await phone.fill("#confirm-code", code)
    await phone.check("#bio-payments")
    await phone.click("#activate-finish")
    await phone.wait_for_selector("#home")


async def test_transfer_to_a_new_phone(camille, acs_server, clock, context, artifacts) -> None:
    """Activating phone 2 revokes phone 1 (SP-40): page 1 says so, its old keys are refused,
    the next payment shows on phone 2 only and is approved there."""
    old_keys = PhoneKeys.load(camille.phone(1).key_file)
    first = await open_phone(context, camille, 1)
    await first.wait_for_selector("#home")
    second = await open_phone(context, camille, 2)
    await second.wait_for_selector("#login-form")
    await snap(second, artifacts, "phone2-login")
    await activate_on_page(second, CAMILLE_LOGIN, CAMILLE_MOBILE, NEW_CODE)
    await first.wait_for_selector("#ended")
    assert await first.text_content("#ended-title") == "Sécur'Pass transféré"
    await snap(first, artifacts, "phone1-transferred")
    async with aiohttp.ClientSession() as http:
        old = Phone(old_keys, base_url=acs_server.url, session=http, clock=signing_clock(clock))
        with pytest.raises(PhoneError) as refused:
            await old.pending_operations()
    assert (refused.value.status, refused.value.reason) == (401, "device_revoked")
    shop = await pay(context, camille)
    await challenge(shop)
    await second.wait_for_selector("#operation")
    assert await first.locator("#operation").count() == 0
    await type_code(second, NEW_CODE)
    title, _ = await verdict(shop, camille)
    assert title == "Paiement accepté"


async def test_settings_biometrics_and_code(camille, context, artifacts) -> None:
    """Settings: biometrics off for payments (no biometric button), a new code that then
    approves (SP-23, SP-24)."""
    phone = await open_phone(context, camille)
    await phone.click("#settings-open")
    await phone.uncheck("#set-bio-payments")
    await phone.wait_for_selector("#notice")
    await phone.fill("#current-code", CODE)
    await phone.fill("#changed-code", NEW_CODE)
    await phone.click("#change-code")
    await phone.get_by_text("Votre code Sécur'Pass a changé.").wait_for()
    await snap(phone, artifacts, "phone-settings")
    await phone.click("#settings-back")
    shop = await pay(context, camille)
    await challenge(shop)
    await phone.click("#approve")
    assert await phone.locator("#use-biometrics").count() == 0
    for digit in NEW_CODE:
        await phone.click(f"#keypad [data-digit='{digit}']")
    assert (await verdict(shop, camille))[0] == "Paiement accepté"


async def test_close_falls_back_to_sms(camille, context, artifacts) -> None:
    """'Résilier Sécur'Pass', confirmed: the app says so and the next payment asks for the SMS
    code (SP-43)."""
    phone = await open_phone(context, camille)
    await phone.wait_for_selector("#home")
    await phone.click("#settings-open")
    await phone.click("#close-securpass")
    await phone.click("#close-confirm")
    await phone.wait_for_selector("#ended")
    assert "plus adhérent" in (await phone.text_content("#notice") or "")
    shop = await pay(context, camille)
    frame = await challenge(shop)
    await frame.get_by_text("Code reçu par SMS").first.wait_for()
    await snap(shop, artifacts, "challenge-otp-after-close")


async def test_wrong_code_on_the_phone_is_counted(camille, context) -> None:
    """A wrong code: the phone says how many attempts are left; the right one then approves."""
    phone = await open_phone(context, camille)
    shop = await pay(context, camille)
    await challenge(shop)
    await type_code(phone, "1111" if CODE != "1111" else "2222")
    await phone.wait_for_selector("#error")
    assert "Il vous reste 4 essai(s)." in (await phone.text_content("#error") or "")
    for digit in CODE:
        await phone.click(f"#keypad [data-digit='{digit}']")
    assert (await verdict(shop, camille))[0] == "Paiement accepté"


async def test_chloe_cannot_activate(merchant, context, artifacts) -> None:
    """Chloé has the app but her only card is opposed and no e-mail is on file: self-care
    activation is refused with the unmet rule (SP-14)."""
    phone = await open_phone(context, merchant, 2)
    await log_in(phone, CHLOE_LOGIN)
    await phone.wait_for_selector("#logged-in")
    assert "C0003" in (await phone.text_content("#logged-in") or "")
    await phone.fill("#mobile", "+33611112222")
    await phone.click("#activate-start")
    await phone.wait_for_selector("#error")
    await snap(phone, artifacts, "phone-chloe-not-eligible")
    assert await phone.evaluate("document.body.dataset.state") == "new"


async def test_wrong_password_then_right_one(merchant, context, artifacts) -> None:
    """A wrong password keeps the login screen with a clear message and the attempts left;
    the right one opens the activation screen for the customer the bank named."""
    phone = await open_phone(context, merchant, 2)
    await phone.wait_for_selector("#login-form")
    assert await phone.text_content("#login-title") == "Connexion à Banxo"
    await log_in(phone, (CAMILLE_LOGIN[0], "not-her-password"))
    error = phone.locator("#error")
    await error.wait_for()
    assert "Identifiant client ou mot de passe incorrect" in (await error.text_content() or "")
    assert "Il vous reste 4 essai(s)" in (await error.text_content() or "")
    assert await phone.evaluate("document.activeElement.id") == "login-password"
    await snap(phone, artifacts, "phone-login-wrong-password")
    await phone.keyboard.type(CAMILLE_LOGIN[1])
    await phone.keyboard.press("Enter")
    await phone.wait_for_selector("#logged-in")
    assert "C0001" in (await phone.text_content("#logged-in") or "")
