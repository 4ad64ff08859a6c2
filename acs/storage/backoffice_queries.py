"""What the back office reads: customers found by id, name or card, a customer's devices,
payments, operations and audit trail (newest first, bounded)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.challenge_models import AttemptRow, ChallengeRow, OutboxRow
from acs.storage.models import AuditEvent, Card, Customer, Transaction
from acs.storage.securpass_models import DeviceRow, FraudDeclarationRow, OperationRow

__all__ = [
    "TransactionFilter",
    "areqs_between",
    "audit_trail",
    "card_by_hmac",
    "challenge_of",
    "challenges_between",
    "customer_of_card",
    "decided_by",
    "declarations_between",
    "declarations_of",
    "devices_of",
    "find_transactions",
    "fraud_queue",
    "operation_for",
    "recent_operations",
    "recent_transactions",
    "results_of",
    "search_customers",
]


async def search_customers(
    session: AsyncSession, text: str, *, limit: int = 20
) -> Sequence[Customer]:
    """Customers whose id is ``text`` or whose name holds it (case-insensitive), by id."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = (
        select(Customer)
        .where(or_(Customer.id == text, Customer.full_name.ilike(pattern, escape="\\")))
        .order_by(Customer.id)
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


async def customer_of_card(session: AsyncSession, pan_hmac: bytes) -> Customer | None:
    statement = select(Customer).join(Card, Card.customer_id == Customer.id)
    return await session.scalar(statement.where(Card.pan_hmac == pan_hmac))


async def devices_of(session: AsyncSession, customer_id: str) -> Sequence[DeviceRow]:
    statement = select(DeviceRow).where(DeviceRow.customer_id == customer_id)
    return (await session.scalars(statement.order_by(DeviceRow.created_at.desc()))).all()


async def recent_transactions(
    session: AsyncSession, customer_id: str, *, limit: int = 20
) -> Sequence[Transaction]:
    statement = select(Transaction).where(Transaction.customer_id == customer_id)
    statement = statement.order_by(Transaction.created_at.desc()).limit(limit)
    return (await session.scalars(statement)).all()


async def recent_operations(
    session: AsyncSession, customer_id: str, *, limit: int = 20
) -> Sequence[OperationRow]:
    statement = select(OperationRow).where(OperationRow.customer_id == customer_id)
    statement = statement.order_by(OperationRow.created_at.desc()).limit(limit)
    return (await session.scalars(statement)).all()


async def audit_trail(
    session: AsyncSession, subject: str, *, limit: int = 50
) -> Sequence[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.subject == subject)
    return (await session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit))).all()


async def fraud_queue(
    session: AsyncSession, *, open_only: bool, limit: int = 100
) -> Sequence[tuple[FraudDeclarationRow, Customer, Card | None, OperationRow | None]]:
    """Fraud declarations, the ones still to qualify first, newest first, with their customer,
    card and (for a refusal in the app) operation."""
    statement = (
        select(FraudDeclarationRow, Customer, Card, OperationRow)
        .join(Customer, Customer.id == FraudDeclarationRow.customer_id)
        .outerjoin(Card, Card.id == FraudDeclarationRow.card_id)
        .outerjoin(OperationRow, OperationRow.id == FraudDeclarationRow.operation_id)
    )
    if open_only:
        statement = statement.where(FraudDeclarationRow.qualification.is_(None))
    statement = statement.order_by(
        FraudDeclarationRow.qualification.is_not(None), FraudDeclarationRow.declared_at.desc()
    )
    rows = await session.execute(statement.limit(limit))
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def declarations_of(session: AsyncSession, customer_id: str) -> Sequence[FraudDeclarationRow]:
    statement = select(FraudDeclarationRow).where(FraudDeclarationRow.customer_id == customer_id)
    return (await session.scalars(statement.order_by(FraudDeclarationRow.id.desc()))).all()


@dataclass(frozen=True)
class TransactionFilter:
    card_id: int | None = None
    customer_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    trans_status: str | None = None
    exemption: str | None = None  # a transChallengeExemption code, or "none": without any
    # The rules that grant each exemption: before 2.3.1 the code is not kept, the decisive
    # rule (the last in risk_rules) says which exemption was granted.
    exemption_rules: Mapping[str, Sequence[str]] = field(default_factory=dict)


async def find_transactions(
    session: AsyncSession, where: TransactionFilter, *, limit: int = 100
) -> Sequence[Transaction]:
    statement = select(Transaction)
    if where.card_id is not None:
        statement = statement.where(Transaction.card_id == where.card_id)
    if where.customer_id:
        statement = statement.where(Transaction.customer_id == where.customer_id)
    if where.since is not None:
        statement = statement.where(Transaction.created_at >= where.since)
    if where.until is not None:
        statement = statement.where(Transaction.created_at < where.until)
    if where.trans_status:
        statement = statement.where(Transaction.trans_status == where.trans_status)
    if where.exemption == "none":
        every = [name for names in where.exemption_rules.values() for name in names]
        statement = statement.where(Transaction.exemption.is_(None), ~decided_by(every))
    elif where.exemption:
        rules = where.exemption_rules.get(where.exemption, ())
        granted = Transaction.exemption == where.exemption
        statement = statement.where(or_(granted, decided_by(rules)) if rules else granted)
    statement = statement.order_by(Transaction.created_at.desc()).limit(limit)
    return (await session.scalars(statement)).all()


def decided_by(rules: Sequence[str]) -> ColumnElement[bool]:
    """The transaction was decided Y by one of ``rules`` (the last name in ``risk_rules``; the
    JSON list is matched as text, the same on SQLite and PostgreSQL)."""
    text = cast(Transaction.risk_rules, String)
    decided = [text.like(f'%"{name}"]') for name in rules]
    return and_(Transaction.trans_status == "Y", or_(*decided)) if decided else false()


async def card_by_hmac(session: AsyncSession, pan_hmac: bytes) -> Card | None:
    return await session.scalar(select(Card).where(Card.pan_hmac == pan_hmac))


async def challenge_of(session: AsyncSession, acs_trans_id: str) -> ChallengeRow | None:
    return await session.get(ChallengeRow, acs_trans_id)


async def results_of(
    session: AsyncSession, acs_trans_id: str
) -> tuple[OutboxRow | None, Sequence[AttemptRow]]:
    row = await session.scalar(select(OutboxRow).where(OutboxRow.acs_trans_id == acs_trans_id))
    if row is None:
        return None, []
    attempts = await session.scalars(
        select(AttemptRow).where(AttemptRow.outbox_id == row.id).order_by(AttemptRow.attempt)
    )
    return row, attempts.all()


async def operation_for(session: AsyncSession, acs_trans_id: str) -> OperationRow | None:
    statement = select(OperationRow).where(
        OperationRow.ref_type == "3ds", OperationRow.ref_id == acs_trans_id
    )
    return await session.scalar(statement.order_by(OperationRow.created_at.desc()).limit(1))


async def areqs_between(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[tuple[datetime, str | None, str | None]]:
    """Each AReq's time, current transStatus and challenge method (None: frictionless)."""
    statement = select(
        Transaction.created_at, Transaction.trans_status, Transaction.challenge_method
    ).where(Transaction.created_at >= since, Transaction.created_at < until)
    return [(r[0], r[1], r[2]) for r in await session.execute(statement)]


async def challenges_between(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[tuple[datetime, str, str | None, datetime | None]]:
    """Each challenge's AReq time, method, result and decision time."""
    statement = (
        select(
            Transaction.created_at,
            ChallengeRow.method,
            ChallengeRow.result_status,
            ChallengeRow.decided_at,
        )
        .join(Transaction, Transaction.acs_trans_id == ChallengeRow.acs_trans_id)
        .where(Transaction.created_at >= since, Transaction.created_at < until)
    )
    return [(r[0], r[1], r[2], r[3]) for r in await session.execute(statement)]


async def declarations_between(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[datetime]:
    statement = select(FraudDeclarationRow.declared_at).where(
        FraudDeclarationRow.declared_at >= since, FraudDeclarationRow.declared_at < until
    )
    return list(await session.scalars(statement))
