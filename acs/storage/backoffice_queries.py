"""What the back office reads: customers found by id, name or card, a customer's devices,
payments, operations and audit trail (newest first, bounded)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.models import AuditEvent, Card, Customer, Transaction
from acs.storage.securpass_models import DeviceRow, FraudDeclarationRow, OperationRow

__all__ = [
    "audit_trail",
    "customer_of_card",
    "declarations_of",
    "devices_of",
    "fraud_queue",
    "recent_operations",
    "recent_transactions",
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
