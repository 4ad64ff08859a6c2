"""The fraud-rate monitor's loop (PSD2 RTS Art. 18-20), through the real app: payments exempted
by the issuer's TRA, one declared after a call and qualified as confirmed fraud → its band's
rate goes over the reference → the band closes (audited, on the dashboard with its date) → the
next AReq in that band is challenged while the next band is still granted → requalified, the
band comes back."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from sqlalchemy import select, update

from acs.storage.backoffice_models import TraBandRow
from acs.storage.models import AuditEvent, Card
from acs.storage.securpass_models import DeviceRow, FraudDeclarationRow
from acs.web.keys import SESSIONS, TRA_GATE
from tests.areqs import areq

CAMILLE_PAN = "4970100000000014"


async def pay(client, minor: int) -> dict:
    message = areq(acctNumber=CAMILLE_PAN, purchaseAmount=str(minor))
    response = await client.post("/3ds/areq", json=message)
    assert response.status == 200
    return await response.json()


async def trusted_phone(client, clock) -> None:
    """SP-42: Camille's phone has been used for months (a low-risk signal for TRA)."""
    async with client.server.app[SESSIONS].begin() as session:
        await session.execute(update(DeviceRow).values(
            successful_uses=40, first_used_at=clock.now() - timedelta(days=120),
            last_used_at=clock.now()))  # fmt: skip


async def test_confirmed_frauds_close_the_band_and_the_next_areq_is_challenged(
    client, login, camille, clock
):
    await trusted_phone(client, clock)
    app = client.server.app
    first = await pay(client, 8000)  # 80 € — the first ETV band (up to 100 €)
    assert first["transStatus"] == "Y"
    await pay(client, 8000)
    await pay(client, 20000)  # 200 € — the second band
    state = await app[TRA_GATE].refresh(app[SESSIONS], now=clock.now())
    assert [b.open for b in state.bands] == [True, True, False]  # 500 €: the 5 bps start > 1

    # The cardholder calls: the first 80 € payment was not theirs.
    async with app[SESSIONS]() as session:
        card = await session.scalar(select(Card).where(Card.last4 == "0014"))
    csrf = await login()
    declared = await client.post(
        "/backoffice/customers/C0001/fraud",
        data={"csrf": csrf, "card_id": str(card.id), "acs_trans_id": first["acsTransID"],
              "channel": "phone", "notes": "ne reconnaît pas l'achat"},
        allow_redirects=False,
    )  # fmt: skip
    assert declared.status == 303
    csrf = await login("fraud_analyst", sub="fra-1")
    async with app[SESSIONS]() as session:
        declaration = await session.scalar(select(FraudDeclarationRow))
    qualified = await client.post(
        f"/backoffice/fraud/{declaration.id}/qualify",
        data={"csrf": csrf, "qualification": "confirmed_fraud", "note": "confirmé"},
        allow_redirects=False,
    )
    assert qualified.status == 303

    # 80 € of fraud over 160 € exempted: 5000 bps, far over the 13 bps reference.
    band = app[TRA_GATE].state.bands[0]
    assert (band.fraud_minor, band.volume_minor, band.open) == (8000, 16000, False)
    assert (await pay(client, 8000))["transStatus"] == "C"  # the closed band: SCA
    assert (await pay(client, 20000))["transStatus"] == "Y"  # the next band is still granted
    async with app[SESSIONS]() as session:
        events = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.subject == "tra:band:10000")))  # fmt: skip
    assert [e.action for e in events] == ["tra.band_closed"]
    assert events[0].detail["reference_bps"] == 13.0
    text = unescape(await (await client.get("/backoffice/dashboard")).text())
    assert f"suspendue depuis le {clock.now().strftime('%d/%m/%Y')}" in text

    # Requalified (the cardholder's mistake after all): back under the reference, reopened.
    await client.post(
        f"/backoffice/fraud/{declaration.id}/qualify",
        data={"csrf": csrf, "qualification": "cardholder_mistake", "note": "retrouvé"},
    )
    assert app[TRA_GATE].state.bands[0].open
    assert (await pay(client, 8000))["transStatus"] == "Y"
    async with app[SESSIONS]() as session:
        row = await session.get(TraBandRow, 10000)
    assert row is not None and row.open


async def test_payments_older_than_90_days_do_not_count(client, login, camille, clock):
    """The window is the rolling 90 days: a fraud 91 days ago no longer closes the band."""
    await trusted_phone(client, clock)
    app = client.server.app
    old = await pay(client, 8000)
    async with app[SESSIONS].begin() as session:
        card = await session.scalar(select(Card).where(Card.last4 == "0014"))
        session.add(FraudDeclarationRow(
            customer_id="C0001", card_id=card.id, acs_trans_id=old["acsTransID"],
            amount_minor=8000, currency="978", exponent=2, payee="x", declared_at=clock.now(),
            source="advisor", qualification="confirmed_fraud"))  # fmt: skip
    assert not (await app[TRA_GATE].refresh(app[SESSIONS], now=clock.now())).bands[0].open
    clock.advance(days=91)
    assert (await app[TRA_GATE].refresh(app[SESSIONS], now=clock.now())).bands[0].open
