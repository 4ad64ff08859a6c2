"""Cards: find by PAN HMAC, upsert many, change status, PSD2 low-value counters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from acs.domain import CardStatus, Opposition
from acs.securpass.devices import DeviceStatus
from acs.storage._dml import execute_counted
from acs.storage._upsert import existing_keys, upsert_rows
from acs.storage.customers import UpsertCounts
from acs.storage.models import Card, Customer
from acs.storage.securpass_models import DeviceRow

__all__ = [
    "CardRecord",
    "CardView",
    "CustomerView",
    "DeviceUse",
    "LowValueClaim",
    "areq_view",
    "card_view",
    "claim_low_value",
    "get",
    "get_by_hmac",
    "reset_low_value",
    "set_status",
    "upsert_many",
]


@dataclass(frozen=True, slots=True)
class CardRecord:
    """One card as imported, its PAN already protected (HMAC + sealed blob + bin6/last4)."""

    pan_hmac: bytes
    pan_kid: str
    pan_ciphertext: bytes
    bin6: str
    last4: str
    expiry_yymm: str
    customer_id: str
    status: CardStatus
    opposition_reason: Opposition | None
    used_at_terminal: bool

    def to_row(self, now: datetime) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in self.__slots__}
        row["status"] = self.status.value
        row["opposition_reason"] = self.opposition_reason and self.opposition_reason.value
        counters = {"low_value_count": 0, "low_value_cumulative_minor": 0}
        return {**row, **counters, "created_at": now, "updated_at": now}


# The sealed PAN is kept on update: the old blob still opens under its key id, and a changed
# ciphertext (new nonce) for the same PAN would make every re-import a write.
_UPDATED = (
    "expiry_yymm",
    "customer_id",
    "status",
    "opposition_reason",
    "used_at_terminal",
    "updated_at",
)


@dataclass(frozen=True)
class CustomerView:
    id: str
    secure_mobile: str | None
    sms_otp_blocked: bool = False  # RTS Art. 4(3)(b): too many wrong SMS codes


@dataclass(frozen=True)
class DeviceUse:
    """How the customer's active Sécur'Pass device has been used (SP-42 trust signal)."""

    successful_uses: int
    first_used_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class CardView:
    """What an AReq needs about a card, read in one round trip (see :func:`areq_view`)."""

    id: int
    customer_id: str
    status: str
    opposition_reason: str | None
    expiry_yymm: str
    last4: str
    low_value_count: int
    low_value_cumulative_minor: int
    customer: CustomerView
    active_device: DeviceUse | None


_AREQ_VIEW = (
    select(
        Card.id, Card.customer_id, Card.status, Card.opposition_reason, Card.expiry_yymm,
        Card.last4, Card.low_value_count, Card.low_value_cumulative_minor,
        Customer.secure_mobile, Customer.otp_blocked_at, DeviceRow.id.label("device_id"),
        DeviceRow.successful_uses, DeviceRow.first_used_at, DeviceRow.last_used_at,
    )
    .join(Customer, Customer.id == Card.customer_id)
    .outerjoin(
        DeviceRow,
        (DeviceRow.customer_id == Card.customer_id) & (DeviceRow.status == DeviceStatus.ACTIVE),
    )
)  # fmt: skip


# One statement object (parameters bound at execution), so its compiled form is cached once;
# the driver AReq stores (acs.storage.areq_store) run the same statement on the driver itself.
AREQ_VIEW_BY_HMAC = _AREQ_VIEW.where(Card.pan_hmac == bindparam("pan_hmac")).limit(1)


async def areq_view(session: AsyncSession, pan_hmac: bytes) -> CardView | None:
    """Card, customer and active device in one Core query: this runs on every AReq, where
    each extra round trip and every ORM object costs more than the SQL itself."""
    row = (await session.execute(AREQ_VIEW_BY_HMAC, {"pan_hmac": pan_hmac})).first()
    return None if row is None else card_view(row._mapping)


def card_view(row: Mapping[Any, Any]) -> CardView:
    """The :class:`CardView` of one row of :data:`AREQ_VIEW_BY_HMAC`, by column name."""
    device = (
        DeviceUse(row["successful_uses"], row["first_used_at"], row["last_used_at"])
        if row["device_id"] is not None
        else None
    )
    opposition = row["opposition_reason"]
    return CardView(
        id=row["id"], customer_id=row["customer_id"], status=str(row["status"]),
        opposition_reason=str(opposition) if opposition else None,
        expiry_yymm=row["expiry_yymm"], last4=row["last4"],
        low_value_count=row["low_value_count"],
        low_value_cumulative_minor=row["low_value_cumulative_minor"],
        customer=CustomerView(
            row["customer_id"], row["secure_mobile"], row["otp_blocked_at"] is not None
        ),
        active_device=device,
    )  # fmt: skip


async def get(session: AsyncSession, card_id: int) -> Card | None:
    """The card with this id, or ``None``."""
    return await session.get(Card, card_id)


async def get_by_hmac(session: AsyncSession, pan_hmac: bytes) -> Card | None:
    """The card with this PAN lookup key, its customer loaded, or ``None``."""
    # joinedload: card and customer in one round trip (this is on the AReq hot path)
    statement = select(Card).where(Card.pan_hmac == pan_hmac).options(joinedload(Card.customer))
    return (await session.scalars(statement)).one_or_none()


async def upsert_many(
    session: AsyncSession, records: Sequence[CardRecord], *, now: datetime
) -> UpsertCounts:
    """Insert or update cards by PAN HMAC; the last record wins for a repeated PAN.

    The low-value counters of an existing card are left alone.
    """
    unique = list({r.pan_hmac: r for r in records}.values())
    present = await existing_keys(session, Card.__table__.c.pan_hmac, [r.pan_hmac for r in unique])
    rows = [r.to_row(now) for r in unique]
    written = await upsert_rows(session, Card.__table__, rows, key="pan_hmac", columns=_UPDATED)
    inserted = len(unique) - len(present)
    return UpsertCounts(inserted, written - inserted, len(present) - (written - inserted))


def set_status(
    card: Card, status: CardStatus, *, reason: Opposition | None = None, at: datetime
) -> None:
    """Change the status; an opposition reason is kept only for an opposed card."""
    card.status = status
    card.opposition_reason = reason if status is CardStatus.OPPOSED else None
    card.updated_at = at


@dataclass(frozen=True)
class LowValueClaim:
    """One more low-value exemption (RTS Art. 16) for a card, within the configured limit
    (``limit``: ``"count"`` or ``"cumulative"``)."""

    card_id: int
    amount_minor: int
    max_count: int
    max_cumulative_minor: int
    limit: str

    def params(self) -> dict[str, int]:
        # Prefixed: the PostgreSQL store binds these next to a transaction row's own card_id
        # and amount_minor (a purchase amount, where this one is in the risk currency).
        return {
            "claim_card_id": self.card_id,
            "claim_amount": self.amount_minor,
            "claim_max_count": self.max_count,
            "claim_max_cumulative": self.max_cumulative_minor,
        }


def _claim_statement(limit: str) -> Update:
    amount = bindparam("claim_amount", type_=Card.low_value_cumulative_minor.type)
    within = (
        Card.low_value_cumulative_minor + amount
        <= bindparam("claim_max_cumulative", type_=Card.low_value_cumulative_minor.type)
        if limit == "cumulative"
        else Card.low_value_count < bindparam("claim_max_count", type_=Card.low_value_count.type)
    )
    return (
        update(Card.__table__)
        .where(Card.id == bindparam("claim_card_id", type_=Card.id.type), within)
        .values(
            low_value_count=Card.low_value_count + 1,
            low_value_cumulative_minor=Card.low_value_cumulative_minor + amount,
        )
    )


# Per limit kind, one conditional UPDATE: two AReqs racing for the last slot cannot both get it.
CLAIM_LOW_VALUE = {limit: _claim_statement(limit) for limit in ("count", "cumulative")}


async def claim_low_value(session: AsyncSession, claim: LowValueClaim) -> bool:
    """Count one more low-value exemption if the limit still allows it.

    The loser of a race for the last slot sees ``False`` and must authenticate the cardholder.
    """
    statement = CLAIM_LOW_VALUE[claim.limit]
    return await execute_counted(session, statement, claim.params()) == 1


def reset_low_value(card: Card, at: datetime) -> None:
    """A strong authentication happened: the low-value counters start again from zero."""
    card.low_value_count = 0
    card.low_value_cumulative_minor = 0
    card.last_sca_at = at
    card.updated_at = at
