"""The tables, as SQLAlchemy 2 typed declarative models (see ``docs/data-model.md``).

Every type is portable to SQLite and PostgreSQL. Datetimes are timezone-aware UTC
(:class:`~acs.storage.types.UTCDateTime`); enumerations are stored as their string value with a
CHECK constraint, not as native PostgreSQL enums, so that adding a value is a plain migration.
Relationships are ``lazy="raise_on_sql"``: load them explicitly (``selectinload``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from acs.domain import CardStatus, CustomerKind, Opposition
from acs.storage.types import UTCDateTime

__all__ = [
    "NAMING_CONVENTION",
    "AuditEvent",
    "Base",
    "Card",
    "CardRangeRow",
    "Customer",
    "Transaction",
    "UsedTokenRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A BIGINT primary key is not a rowid alias on SQLite (no autoincrement there).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum(cls: type[StrEnum], name: str) -> sa.Enum:
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    if TYPE_CHECKING:  # every model here is mapped to a Table (DeclarativeBase says FromClause)
        __table__: ClassVar[sa.Table]

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
    }


class Timestamps:
    """``created_at``/``updated_at``, always set by the caller from the injected clock."""

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Customer(Timestamps, Base):
    """A cardholder (person or business) and the facts Sécur'Pass eligibility reads."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # the bank's customer_id
    kind: Mapped[CustomerKind] = mapped_column(_enum(CustomerKind, "customer_kind"))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    remote_banking: Mapped[bool]
    secure_mobile: Mapped[str | None] = mapped_column(sa.String(32))
    personal_email: Mapped[str | None] = mapped_column(sa.String(254))
    email_recorded_at: Mapped[datetime | None]
    has_app: Mapped[bool]
    # RTS Art. 4(3)(b): consecutive wrong SMS codes, across resends and transactions; at the
    # limit SMS OTP is blocked (otp_blocked_at) until a Sécur'Pass success or a staff reset.
    otp_failures: Mapped[int] = mapped_column(server_default="0", default=0)
    otp_blocked_at: Mapped[datetime | None]

    cards: Mapped[list[Card]] = relationship(back_populates="customer", lazy="raise_on_sql")


class Card(Timestamps, Base):
    """A card. The PAN is never stored in clear: HMAC for lookup, AES-GCM ciphertext with kid."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pan_hmac: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    pan_kid: Mapped[str] = mapped_column(sa.String(32))
    pan_ciphertext: Mapped[bytes] = mapped_column(sa.LargeBinary(64))
    bin6: Mapped[str] = mapped_column(sa.String(6))  # first six digits: not secret (PCI DSS)
    last4: Mapped[str] = mapped_column(sa.String(4))
    expiry_yymm: Mapped[str] = mapped_column(sa.String(4))
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    status: Mapped[CardStatus] = mapped_column(_enum(CardStatus, "card_status"))
    opposition_reason: Mapped[Opposition | None] = mapped_column(_enum(Opposition, "opposition"))
    used_at_terminal: Mapped[bool] = mapped_column(default=False)
    # PSD2 RTS Art. 16 low-value counters, since the last strong authentication.
    low_value_count: Mapped[int] = mapped_column(default=0)
    low_value_cumulative_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_sca_at: Mapped[datetime | None]

    customer: Mapped[Customer] = relationship(back_populates="cards", lazy="raise_on_sql")


class CardRangeRow(Base):
    """A mirror of the BIN ranges in the config, synced at start-up."""

    __tablename__ = "card_ranges"
    __table_args__ = (sa.UniqueConstraint("start", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[str] = mapped_column(sa.String(16))
    end: Mapped[str] = mapped_column(sa.String(16))
    scheme: Mapped[str] = mapped_column(sa.String(16))
    method_url: Mapped[bool]


class Transaction(Timestamps, Base):
    """One row per acsTransID: the AReq facts, the decision and the ARes proof."""

    __tablename__ = "transactions"
    __table_args__ = (
        sa.Index("ix_transactions_card_id_created_at", "card_id", "created_at"),
        sa.Index("ix_transactions_created_at", "created_at"),
    )

    acs_trans_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    three_ds_server_trans_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    ds_trans_id: Mapped[str | None] = mapped_column(sa.String(36))
    sdk_trans_id: Mapped[str | None] = mapped_column(sa.String(36))
    message_version: Mapped[str] = mapped_column(sa.String(8))
    device_channel: Mapped[str] = mapped_column(sa.String(2))
    message_category: Mapped[str] = mapped_column(sa.String(2))
    card_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cards.id"))  # None: unknown card
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customers.id"))
    amount_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    exponent: Mapped[int | None] = mapped_column(sa.SmallInteger)
    merchant_name: Mapped[str | None] = mapped_column(sa.String(64))
    trans_status: Mapped[str | None] = mapped_column(sa.String(1))
    trans_status_reason: Mapped[str | None] = mapped_column(sa.String(2))
    exemption: Mapped[str | None] = mapped_column(sa.String(2))
    eci: Mapped[str | None] = mapped_column(sa.String(2))
    authentication_value: Mapped[str | None] = mapped_column(sa.String(64))
    challenge_method: Mapped[str | None] = mapped_column(sa.String(16))
    challenge_mandated: Mapped[bool] = mapped_column(default=False)
    risk_rules: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    notification_url: Mapped[str | None] = mapped_column(sa.Text)
    ds_url: Mapped[str | None] = mapped_column(sa.Text)
    ds_reference_number: Mapped[str | None] = mapped_column(sa.String(32))
    three_ds_requestor_id: Mapped[str | None] = mapped_column(sa.String(35))

    card: Mapped[Card | None] = relationship(lazy="raise_on_sql")


class AuditEvent(Base):
    """An append-only, hash-chained audit record: ``hash = sha256(prev_hash || canonical)``.

    One chain per subject (``chain`` = the subject; ``""`` for the single chain of the events
    written before revision 0004). ``(chain, prev_hash)`` is unique, so two writers chaining
    from the same row cannot both succeed.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.UniqueConstraint("chain", "prev_hash"),
        sa.Index("ix_audit_events_chain_id", "chain", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chain: Mapped[str] = mapped_column(sa.String(128), server_default="")
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str] = mapped_column(sa.String(128))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))  # hex
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # hex


class UsedTokenRow(Base):
    """An identity-provider token already accepted, by the SHA-256 of its issuer and ``jti``
    (never the token), kept until it expires: a second use is a replay, in any process."""

    __tablename__ = "used_tokens"

    jti_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # hex
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AddressHitRow(Base):
    """One rate-limited call (an enrolment start or an activation) from a client address, by
    the HMAC of the address (never the address): counted over the last hour, then purged."""

    __tablename__ = "address_hits"
    __table_args__ = (sa.Index("ix_address_hits_address_hash_at", "address_hash", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    address_hash: Mapped[str] = mapped_column(sa.String(64))  # hex HMAC-SHA256
    at: Mapped[datetime] = mapped_column(index=True)


# The feature tables live in their own modules but share Base.metadata: importing them here
# makes every table known wherever the models are (migrations, tests, the app).
from acs.storage import (  # noqa: E402, F401
    backoffice_models,
    banking_models,
    challenge_models,
    securpass_models,
)
