"""The fraud desk through the real app: a declaration after a call (on the customer's page),
the app's refusals (SP-55), the queue with the card's opposition state and the payment's link,
the analyst's qualification; role permissions; every change audited."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from acs.storage.models import AuditEvent, Card
from acs.storage.securpass_models import FraudDeclarationRow
from acs.web.keys import CLOCK, SESSIONS
from tests.areqs import areq

CAMILLE_PAN = "4970100000000014"


async def pay(client, minor: int = 2000) -> str:
    response = await client.post(
        "/3ds/areq", json=areq(acctNumber=CAMILLE_PAN, purchaseAmount=str(minor))
    )
    assert response.status == 200
    return (await response.json())["acsTransID"]


async def camille_card(client) -> Card:
    async with client.server.app[SESSIONS]() as session:
        cards = await session.scalars(select(Card).where(Card.customer_id == "C0001"))
        return next(c for c in cards if c.last4 == "0014")


async def declarations(client) -> list[FraudDeclarationRow]:
    async with client.server.app[SESSIONS]() as session:
        return list(await session.scalars(select(FraudDeclarationRow)))


async def declare(client, csrf: str, card_id: int, **fields: str):
    data = {"csrf": csrf, "card_id": str(card_id), "channel": "phone", "notes": "appel du client"}
    return await client.post(
        "/backoffice/customers/C0001/fraud", data=data | fields, allow_redirects=False
    )


async def test_an_advisor_declares_a_fraud_after_a_call_on_a_payment(client, login, demo_data):
    """The payment chosen from the list; the card opposed for fraud; audited with the staff."""
    trans_id = await pay(client)
    card = await camille_card(client)
    csrf = await login()
    answer = await declare(client, csrf, card.id, acs_trans_id=trans_id, oppose="1")
    assert answer.status == 303
    (row,) = await declarations(client)
    assert (row.source, row.channel, row.acs_trans_id) == ("advisor", "phone", trans_id)
    assert row.amount_minor == 2000 and row.card_opposed and row.declared_by == "staff:adv-007"
    assert str((await camille_card(client)).status) == "opposed"
    async with client.server.app[SESSIONS]() as session:
        events = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "fraud.declared")))  # fmt: skip
    assert events[0].actor == "staff:adv-007" and events[0].detail["acsTransID"] == trans_id


async def test_a_declaration_by_amount_merchant_and_date(client, login, demo_data):
    card = await camille_card(client)
    csrf = await login()
    answer = await declare(client, csrf, card.id, amount="41,99", merchant="showroomprive.com",
                           on="2026-11-27", channel="email")  # fmt: skip
    assert answer.status == 303
    (row,) = await declarations(client)
    assert row.amount_minor == 4199 and row.payee == "showroomprive.com (27/11/2026)"
    assert not row.card_opposed


async def test_a_declaration_without_payment_nor_amount_is_refused(client, login, demo_data):
    card = await camille_card(client)
    csrf = await login()
    answer = await declare(client, csrf, card.id)
    assert answer.status == 400 and not await declarations(client)


async def test_another_customers_card_is_refused(client, login, demo_data):
    async with client.server.app[SESSIONS]() as session:
        other = await session.scalar(select(Card).where(Card.customer_id == "C0002"))
    assert other is not None
    csrf = await login()
    answer = await declare(client, csrf, other.id, amount="10", merchant="x", on="2026-11-27")
    assert answer.status == 404 and not await declarations(client)


async def test_the_analyst_qualifies_a_declaration_in_the_queue(client, login, demo_data):
    """The queue shows the card's opposition and links the payment; the analyst qualifies it
    (confirmed fraud) with a note; audited."""
    trans_id = await pay(client)
    card = await camille_card(client)
    csrf = await login()
    await declare(client, csrf, card.id, acs_trans_id=trans_id, oppose="1")
    csrf = await login("fraud_analyst", sub="fra-1")
    text = unescape(await (await client.get("/backoffice/fraud")).text())
    assert "à qualifier" in text and "en opposition pour fraude" in text
    assert f"/backoffice/transactions/{trans_id}" in text and "4970 10•• •••• 0014" in text
    (row,) = await declarations(client)
    answer = await client.post(
        f"/backoffice/fraud/{row.id}/qualify",
        data={"csrf": csrf, "qualification": "confirmed_fraud", "note": "achat inconnu"},
        allow_redirects=False,
    )
    assert answer.status == 303
    (row,) = await declarations(client)
    assert (row.qualification, row.qualified_by) == ("confirmed_fraud", "staff:fra-1")
    text = unescape(await (await client.get("/backoffice/fraud")).text())
    assert "fraude avérée" in text and "achat inconnu" in text
    open_only = unescape(await (await client.get("/backoffice/fraud?a_qualifier=1")).text())
    assert "Aucune déclaration à qualifier" in open_only


async def test_an_advisor_may_not_qualify_and_an_auditor_reads_only(client, login, demo_data):
    card = await camille_card(client)
    csrf = await login()
    await declare(client, csrf, card.id, amount="10", merchant="x", on="2026-11-27")
    (row,) = await declarations(client)
    data = {"csrf": csrf, "qualification": "duplicate"}
    assert (await client.post(f"/backoffice/fraud/{row.id}/qualify", data=data)).status == 403
    assert (await client.get("/backoffice/fraud")).status == 403  # the queue is the desk's
    csrf = await login("auditor", sub="aud-1")
    text = await (await client.get("/backoffice/fraud")).text()
    assert "Qualifier" not in text and "à qualifier" in text
    data["csrf"] = csrf
    assert (await client.post(f"/backoffice/fraud/{row.id}/qualify", data=data)).status == 403
    assert (await client.post("/backoffice/customers/C0001/fraud", data=data)).status == 403
    (row,) = await declarations(client)
    assert row.qualification is None


async def test_a_bad_qualification_is_refused(client, login, demo_data):
    card = await camille_card(client)
    csrf = await login("fraud_analyst", sub="fra-1")
    await declare(client, csrf, card.id, amount="10", merchant="x", on="2026-11-27")
    (row,) = await declarations(client)
    data = {"csrf": csrf, "qualification": "whatever"}
    assert (await client.post(f"/backoffice/fraud/{row.id}/qualify", data=data)).status == 400
    assert (await client.post("/backoffice/fraud/999/qualify", data=data)).status == 404
    assert (await client.post("/backoffice/fraud/abc/qualify", data=data)).status == 400


async def test_a_refusal_in_the_app_is_in_the_queue(client, login, camille):
    """SP-55: "Je refuse ce paiement" (not_me) comes to the desk with its 3-D Secure payment."""
    from tests.securpass_api.conftest import card_operation

    async with client.server.app[SESSIONS].begin() as session:
        card = await session.scalar(select(Card).where(Card.last4 == "0014"))
        assert card is not None
        operation_id = await card_operation(
            session, client.server.app[CLOCK], card_id=card.id, ref_type="3ds", ref_id="t-1"
        )
    await camille.refuse(await camille.operation(operation_id), "not_me")
    await login("fraud_analyst", sub="fra-1")
    text = unescape(await (await client.get("/backoffice/fraud")).text())
    assert "« Je refuse ce paiement » dans l'appli" in text and "41,99 €" in text
    assert "/backoffice/transactions/t-1" in text and "en opposition pour fraude" in text
