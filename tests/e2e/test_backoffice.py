"""The back office in real Chromium: an advisor logs in at the bank's identity provider
(OpenID Connect code flow with PKCE), finds a customer, lifts the 72 h delay (SP-15) and
enrols them face to face (SP-30 … SP-33); an analyst qualifies a fraud declared after a call,
reads the payment's explanation and sees the monitor close its TRA band (RTS Art. 20);
every page has no serious axe-core violation; no session and a forged form are refused.
Screenshots go to docs/screenshots/ when ``ACS_SCREENSHOTS=1``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from acs.storage.securpass_models import DeviceRow
from acs.web.keys import SESSIONS
from merchant_simulator.idp import DEMO_STAFF
from tests.areqs import areq
from tests.backoffice.conftest import NEW_EMAIL

ADVISOR, ANALYST, AUDITOR = DEMO_STAFF
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
SERIOUS = {"serious", "critical"}


@pytest.fixture
async def ines(load, demo_data) -> str:
    await load("customers", [NEW_EMAIL])
    return NEW_EMAIL[0]


async def sign_in(page, acs_url: str, account) -> None:
    await page.goto(f"{acs_url}/backoffice/")
    await page.get_by_label("Identifiant").fill(account.login)
    await page.get_by_label("Mot de passe").fill(account.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(f"{acs_url}/backoffice/")
    assert account.staff_id in await page.text_content("header")


async def accessible(page, name: str) -> None:
    """No serious or critical axe-core violation on the page (and a screenshot if asked)."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
    if os.environ.get("ACS_SCREENSHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"backoffice-{name}.png"), full_page=True)


@pytest.fixture
def demo_risk() -> bool:
    """The default risk settings: the fraud-rate monitor steers the issuer's TRA exemption."""
    return False


async def test_an_advisor_lifts_the_delay_and_enrols_face_to_face(context, acs_server, ines):
    page = await context.new_page()
    url = acs_server.url
    await sign_in(page, url, ADVISOR)
    await accessible(page, "home")
    search = page.get_by_label("Identifiant client, nom ou numéro de carte")
    await search.fill("4970 1000 0000 0014")
    await page.get_by_role("button", name="Rechercher").click()
    assert "4970 10•• •••• 0014" in await page.content()
    assert "4970 1000 0000 0014" not in await page.text_content("main")
    await accessible(page, "search")
    await page.get_by_label("Identifiant client, nom ou numéro de carte").fill("Moreau")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name="C0100").click()
    assert "non éligible" in await page.text_content("main")
    await accessible(page, "customer")
    await page.get_by_label("Contrôle d'identité renforcé effectué").select_option(
        "identity_document_in_branch"
    )
    await page.get_by_role("button", name="Lever le délai de 72 h").click()
    assert "Le délai de 72 h est levé" in await page.text_content("main")
    await page.get_by_label("Face à face, en agence").check()
    await page.get_by_role("button", name="Valider le canal").click()
    await page.get_by_label("Référence de l'avenant signé").fill("AV-2026-0421-001")
    await page.get_by_role("button", name="Initier Sécur'Pass").click()
    main = await page.text_content("main")
    assert "initié — à activer sur le téléphone avant le" in main
    await accessible(page, "customer-initiated")
    await page.get_by_role("button", name="Se déconnecter").click()
    assert "Vous êtes déconnecté" in await page.text_content("main")
    await page.goto(f"{url}/backoffice/customers/C0100")
    assert "/authorize" in page.url  # no session: back to the identity provider


async def exempted_by_tra(acs_url: str, minor: int) -> dict:
    """An AReq for Camille's card, straight to the ACS (as the DS would send it)."""
    message = areq(acctNumber="4970100000000014", purchaseAmount=str(minor))
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{acs_url}/3ds/areq", json=message) as response,
    ):
        return await response.json()


async def test_a_fraud_after_a_call_is_qualified_and_the_monitor_closes_the_band(
    context, acs_server, camille, clock
):
    """An 80 € payment exempted by TRA; the cardholder calls; the advisor declares it, the
    analyst qualifies it as fraud; the dashboard shows the band suspended with its date; the
    payment's explanation; the next 80 € payment is challenged."""
    app, url = acs_server.app, acs_server.url
    async with app[SESSIONS].begin() as session:  # SP-42: a phone used for months
        await session.execute(update(DeviceRow).values(
            successful_uses=40, first_used_at=clock.now() - timedelta(days=120),
            last_used_at=clock.now()))  # fmt: skip
    paid = await exempted_by_tra(url, 8000)
    assert paid["transStatus"] == "Y"
    page = await context.new_page()
    await sign_in(page, url, ADVISOR)
    await page.goto(f"{url}/backoffice/customers/C0001")
    await page.get_by_label("Paiement contesté").select_option(paid["acsTransID"])
    await page.get_by_label("Le client a signalé la fraude").select_option("phone")
    await page.get_by_label("Notes").fill("ne reconnaît pas l'achat")
    await page.get_by_role("button", name="Déclarer la fraude").click()
    assert "La déclaration de fraude est enregistrée" in await page.text_content("main")
    await page.get_by_role("button", name="Se déconnecter").click()
    await sign_in(page, url, ANALYST)
    await page.get_by_role("link", name="Fraude").click()
    await accessible(page, "fraud-queue")
    await page.get_by_label("Qualification").select_option("confirmed_fraud")
    await page.get_by_label("Note").fill("achat non reconnu")
    await page.get_by_role("button", name="Qualifier").click()
    assert "fraude avérée" in await page.text_content("main")
    await page.get_by_role("link", name="Voir le paiement").click()
    main = await page.text_content("main")
    assert "issuer_tra — analyse de risque de l'émetteur" in main
    assert "émise (la valeur n'est jamais affichée)" in main
    assert paid["authenticationValue"] not in await page.content()
    await accessible(page, "transaction")
    await page.get_by_role("link", name="Tableau de bord").click()
    assert f"suspendue depuis le {clock.now().strftime('%d/%m/%Y')}" in (
        await page.text_content("main")
    )
    await accessible(page, "dashboard")
    assert (await exempted_by_tra(url, 8000))["transStatus"] == "C"  # the band is closed
    await page.get_by_role("link", name="Paiements").click()
    await page.get_by_label("Identifiant client").fill("C0001")
    await page.get_by_role("button", name="Rechercher").click()
    await accessible(page, "transactions")


async def test_an_auditor_reads_and_cannot_act_and_a_forged_form_is_refused(
    context, acs_server, ines
):
    page = await context.new_page()
    url = acs_server.url
    await sign_in(page, url, AUDITOR)
    await page.goto(f"{url}/backoffice/customers/C0100?canal=face_a_face")
    assert await page.get_by_role("button", name="Lever le délai de 72 h").count() == 0
    assert await page.get_by_role("button", name="Initier Sécur'Pass").count() == 0
    # A form posted without the session's CSRF token (the browser's own cookie rides along).
    answer = await page.request.post(
        f"{url}/backoffice/customers/C0100/delay-lift",
        form={"csrf": "forged", "identity_check": "identity_document_in_branch"},
    )
    assert answer.status == 403
    async with (
        aiohttp.ClientSession() as http,  # no session at all
        http.post(f"{url}/backoffice/customers/C0100/delay-lift") as refused,
    ):
        assert refused.status == 401
