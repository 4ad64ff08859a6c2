"""Transactions searched and explained through the real app: each rule that fired in order with
its thresholds, the exemption, the method, ECI, whether an authentication value was issued
(never the value), the steps with their times."""

from __future__ import annotations

from html import unescape

from acs.storage import transactions as store
from acs.web.keys import SESSIONS
from tests.areqs import areq

CAMILLE_PAN = "4970100000000014"


async def pay(client, minor: int, pan: str = CAMILLE_PAN) -> dict:
    message = areq(acctNumber=pan, purchaseAmount=str(minor))
    response = await client.post("/3ds/areq", json=message)
    assert response.status == 200
    return await response.json()


async def text_of(http, url: str, **params: str) -> str:
    answer = await http.get(url, params=params)
    body = await answer.text()
    assert answer.status == 200, body
    return unescape(body)


async def test_a_frictionless_low_value_payment_is_explained(client, login, demo_data):
    """Low value (RTS Art. 16) with its thresholds; ECI; a value issued but never shown."""
    ares = await pay(client, 2000)
    assert ares["transStatus"] == "Y"
    await login()
    text = await text_of(client, f"/backoffice/transactions/{ares['acsTransID']}")
    assert "low_value — faible montant (RTS art. 16) : au plus 30,00 €, 5 exemptions" in text
    assert "(décisive)" in text and "faible montant (RTS art. 16)" in text
    assert f"<dt>ECI</dt><dd>{ares['eci']}</dd>" in text
    assert "émise (la valeur n'est jamais affichée)" in text
    assert ares["authenticationValue"] not in text
    assert "AReq reçue, ARes envoyée" in text and "4970 10•• •••• 0014" in text


async def test_a_challenged_payment_names_its_method(client, login, camille):
    """Above every exemption: SCA required, Sécur'Pass as the method, no value yet."""
    ares = await pay(client, 90000)
    assert ares["transStatus"] == "C"
    await login()
    text = await text_of(client, f"/backoffice/transactions/{ares['acsTransID']}")
    assert "sca_required — authentification forte requise" in text
    assert "Sécur'Pass (validation dans l'appli Banxo)" in text and "non émise" in text
    rules = text.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert rules.index("sca_required") < rules.index("method_securpass")  # the engine's order


async def test_transactions_are_searched_by_card_outcome_exemption_and_dates(
    client, login, camille, clock
):
    first = await pay(client, 2000)
    assert first["transStatus"] == "Y", first
    low = first["acsTransID"]
    challenged = (await pay(client, 90000))["acsTransID"]
    other = (await pay(client, 2000, pan="4970100000000022"))["acsTransID"]
    await login()
    by_card = await text_of(client, "/backoffice/transactions", carte="4970 1000 0000 0014")
    assert low in by_card and challenged in by_card and other not in by_card
    assert "4970 1000 0000 0014" not in by_card  # the typed card is not echoed
    by_outcome = await text_of(client, "/backoffice/transactions", client="C0001", resultat="C")
    assert challenged in by_outcome and low not in by_outcome
    no_exemption = await text_of(
        client, "/backoffice/transactions", client="C0001", exemption="none"
    )
    assert challenged in no_exemption and low not in no_exemption
    low_value = await text_of(client, "/backoffice/transactions", exemption="10")
    assert low in low_value and challenged not in low_value
    today = clock.now().date().isoformat()
    assert low in await text_of(client, "/backoffice/transactions", du=today, au=today)
    assert "0 paiement" in await text_of(client, "/backoffice/transactions", du="2027-01-01")


async def test_an_unknown_transaction_or_a_bad_date_is_a_4xx(client, login, demo_data):
    await login()
    assert (await client.get("/backoffice/transactions/nope")).status == 404
    assert (await client.get("/backoffice/transactions?du=hier")).status == 400


async def test_every_role_reads_transactions(client, login, demo_data):
    ares = await pay(client, 2000)
    await login("auditor", sub="aud-1")
    assert (await client.get(f"/backoffice/transactions/{ares['acsTransID']}")).status == 200
    async with client.server.app[SESSIONS]() as session:
        assert await store.get(session, ares["acsTransID"]) is not None


def test_the_card_check_reads_as_passed_unless_it_decided():
    from acs.config import RiskThresholds
    from acs.flows.backoffice.transactions import rule_text

    assert "connue" in rule_text("card_known", RiskThresholds(), decisive=False)
    assert "inconnue" in rule_text("card_known", RiskThresholds(), decisive=True)
