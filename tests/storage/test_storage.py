"""Storage functions on a real database: upserts, lookups, counters, ranges, audit chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from acs.config import DEV_RANGES, CardRange, Scheme
from acs.crypto.pan import PanVault
from acs.domain import CardStatus, CustomerKind, Opposition
from acs.storage import audit, cards, customers, transactions
from acs.storage.errors import Conflict
from acs.storage.models import AuditEvent, CardRangeRow
from acs.storage.ranges import sync_card_ranges

PANS = ("4970100000000014", "5132850000000008")


def person(customer_id: str, name: str = "Alice") -> customers.CustomerRecord:
    return customers.CustomerRecord(
        id=customer_id,
        kind=CustomerKind.INDIVIDUAL,
        full_name=name,
        remote_banking=True,
        secure_mobile="+33612345678",
        personal_email=None,
        email_recorded_at=None,
        has_app=True,
    )


def sealed(vault: PanVault, pan: str, status: CardStatus = CardStatus.ACTIVE) -> cards.CardRecord:
    kid, blob = vault.seal(pan)
    return cards.CardRecord(
        pan_hmac=vault.lookup_key(pan),
        pan_kid=kid,
        pan_ciphertext=blob,
        bin6=pan[:6],
        last4=pan[-4:],
        expiry_yymm="2812",
        customer_id="C1",
        status=status,
        opposition_reason=None,
        used_at_terminal=False,
    )


@pytest.fixture
async def two_cards(sessions, vault, clock) -> None:
    async with sessions.begin() as session:
        await customers.upsert_many(session, [person("C1")], now=clock.now())
        await cards.upsert_many(session, [sealed(vault, p) for p in PANS], now=clock.now())


async def test_customer_upsert_is_idempotent(sessions, clock) -> None:
    """Upserting the same customers twice inserts once; a changed name is applied."""
    async with sessions.begin() as session:
        first = await customers.upsert_many(session, [person("C1"), person("C2")], now=clock.now())
        again = await customers.upsert_many(session, [person("C1", "Alicia")], now=clock.now())
    assert (first.inserted, first.updated, again.inserted, again.updated) == (2, 0, 0, 1)
    async with sessions() as session:
        alicia = await customers.get(session, "C1")
    assert alicia is not None and alicia.full_name == "Alicia"
    assert alicia.created_at == clock.now() and alicia.created_at.tzinfo is not None


@pytest.mark.usefixtures("two_cards")
async def test_lookup_by_hmac_loads_the_customer(sessions, vault) -> None:
    """A card is found by its PAN HMAC with its customer loaded; an unknown PAN gives None."""
    async with sessions() as session:
        card = await cards.get_by_hmac(session, vault.lookup_key(PANS[1]))
        missing = await cards.get_by_hmac(session, vault.lookup_key("4970100000000022"))
    assert missing is None
    assert card is not None and card.last4 == "0008" and card.customer.full_name == "Alice"


@pytest.mark.usefixtures("two_cards")
async def test_card_counters_and_status(sessions, vault, clock) -> None:
    """Low-value counters add up and reset at SCA; status changes keep the reason if opposed."""
    limits = {"max_count": 5, "max_cumulative_minor": 10000, "limit": "count"}
    async with sessions.begin() as session:
        card = await cards.get_by_hmac(session, vault.lookup_key(PANS[0]))
        assert await cards.claim_low_value(session, cards.LowValueClaim(card.id, 1500, **limits))
        assert await cards.claim_low_value(session, cards.LowValueClaim(card.id, 700, **limits))
        await session.refresh(card)
        cards.set_status(card, CardStatus.OPPOSED, reason=Opposition.FRAUD, at=clock.now())
    async with sessions.begin() as session:
        card = await cards.get_by_hmac(session, vault.lookup_key(PANS[0]))
        assert (card.low_value_count, card.low_value_cumulative_minor) == (2, 2200)
        assert (card.status, card.opposition_reason) == ("opposed", "fraud")
        cards.reset_low_value(card, clock.now())
    async with sessions() as session:
        card = await cards.get_by_hmac(session, vault.lookup_key(PANS[0]))
    assert (card.low_value_count, card.last_sca_at) == (0, clock.now())


@pytest.mark.usefixtures("two_cards")
@pytest.mark.parametrize(
    ("limit", "amounts", "granted"),
    [
        ("count", [100] * 6, [True] * 5 + [False]),
        ("cumulative", [4000, 4000, 3000], [True, True, False]),
    ],
)
async def test_low_value_claims_stop_at_the_limit(sessions, vault, limit, amounts, granted) -> None:
    """RTS Art. 16: the claim is refused once 5 exemptions or 100 EUR are used since the SCA."""
    limits = {"max_count": 5, "max_cumulative_minor": 10000, "limit": limit}
    results = []
    for amount in amounts:
        async with sessions.begin() as session:
            card = await cards.get_by_hmac(session, vault.lookup_key(PANS[0]))
            claim = cards.LowValueClaim(card.id, amount, **limits)
            results.append(await cards.claim_low_value(session, claim))
    assert results == granted


@pytest.mark.usefixtures("two_cards")
async def test_pan_never_stored_in_clear(database_url: str, engine) -> None:
    """Neither the PAN nor its digits in any common encoding appear in the database file."""
    if not database_url.startswith("sqlite"):
        pytest.skip("scans the SQLite file")
    await engine.dispose()  # checkpoint the WAL into the main file
    path = Path(database_url.split("///", 1)[1])
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for pan in PANS:
        assert pan.encode() not in data
        assert pan.encode("utf-16-le") not in data
        assert bytes.fromhex(pan) not in data  # packed BCD


async def test_transactions_add_get_count(sessions, clock) -> None:
    """A transaction is stored once per acsTransID; a repeated id is a Conflict."""
    fields = {
        "acs_trans_id": "8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
        "three_ds_server_trans_id": "3ac7caa7-aa42-4d2a-9e64-b7a2e1d0f0d0",
        "message_version": "2.2.0",
        "device_channel": "02",
        "message_category": "01",
        "risk_rules": ["low_value"],
        "created_at": clock.now(),
        "updated_at": clock.now(),
    }
    async with sessions.begin() as session:
        await transactions.add(session, **fields)
    async with sessions() as session:
        stored = await transactions.get(session, fields["acs_trans_id"])
        assert await transactions.count(session) == 1
        assert await transactions.get(session, "nope") is None
    assert stored.risk_rules == ["low_value"] and stored.challenge_mandated is False
    with pytest.raises(Conflict):
        async with sessions.begin() as session:
            await transactions.add(session, **fields)


async def test_datetimes_come_back_aware_in_utc(sessions) -> None:
    """A datetime given in another zone is stored as the same instant and read back in UTC."""
    paris = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    async with sessions.begin() as session:
        await customers.upsert_many(session, [person("C1")], now=paris)
    async with sessions() as session:
        row = await customers.get(session, "C1")
    assert row.created_at == paris and row.created_at.utcoffset() == timedelta(0)


async def test_sync_card_ranges_mirrors_the_config(sessions) -> None:
    """Syncing makes the table equal to the configured ranges, whatever it held before."""
    extra = CardRange("4000000000000000", "4000009999999999", Scheme.VISA, method_url=False)
    async with sessions.begin() as session:
        await sync_card_ranges(session, (*DEV_RANGES, extra))
    async with sessions.begin() as session:
        await sync_card_ranges(session, DEV_RANGES)
    async with sessions() as session:
        rows = (await session.scalars(select(CardRangeRow).order_by(CardRangeRow.start))).all()
    assert [(r.start, r.end, r.scheme) for r in rows] == [
        (r.start, r.end, r.scheme.value) for r in DEV_RANGES
    ]


async def test_audit_chain_links_and_detects_tampering(sessions, clock) -> None:
    """Each subject's events chain from its previous one (the first from 64 zeros), whatever
    is written about other subjects in between; editing a stored event breaks its chain."""
    async with sessions.begin() as session:
        for i in range(4):
            await audit.append_audit(
                session,
                at=clock.now(),
                actor="advisor:42",
                action="card.oppose",
                subject=f"card:{i % 2}",
                detail={"reason": "fraud", "n": i},
            )
    async with sessions() as session:
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        assert await audit.verify_chain(session) is None
    assert [e.chain for e in events] == ["card:0", "card:1", "card:0", "card:1"]
    assert [e.prev_hash for e in events[:2]] == [audit.GENESIS] * 2
    assert [e.prev_hash for e in events[2:]] == [e.hash for e in events[:2]]
    async with sessions.begin() as session:
        await session.execute(
            update(AuditEvent).where(AuditEvent.id == events[1].id).values(subject="card:x")
        )
    async with sessions() as session:
        assert await audit.verify_chain(session) == events[1].id


async def test_audit_chain_detects_a_removed_event(sessions, clock) -> None:
    """Deleting an event from the middle of a subject's chain breaks the next link."""
    async with sessions.begin() as session:
        for i in range(3):
            await audit.append_audit(
                session, at=clock.now(), actor="advisor:42", action="card.oppose",
                subject="card:7", detail={"n": i},
            )  # fmt: skip
    async with sessions.begin() as session:
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        await session.delete(events[1])
    async with sessions() as session:
        assert await audit.verify_chain(session) == events[2].id


async def test_a_nonce_is_accepted_once_per_device(sessions, clock) -> None:
    """A signed call's nonce is recorded once: the same nonce again from the same device is a
    replay (one INSERT … ON CONFLICT DO NOTHING, the transaction stays usable)."""
    from datetime import timedelta

    from acs.storage import securpass

    until = clock.now() + timedelta(minutes=5)
    calls = [("d1", "n1"), ("d1", "n1"), ("d2", "n1"), ("d1", "n2")]
    async with sessions.begin() as session:
        fresh = [
            await securpass.remember_nonce(session, device_id=d, nonce=n, expires_at=until)
            for d, n in calls
        ]
    assert fresh == [True, False, True, True]
