"""The fraud desk (SP-55, SP-56): the declarations — "Je refuse ce paiement" in the app, or a
fraud the cardholder reported to an advisor by phone, e-mail or in branch — and their
qualification by an analyst (confirmed fraud, cardholder's mistake, duplicate).

Declaring and qualifying are audited on the customer's chain (``fraud.declared``,
``fraud.qualified``) with the staff actor. A confirmed fraud on a payment the ACS exempted by
TRA counts in the fraud-rate monitor (:mod:`acs.flows.backoffice.monitor`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from acs.auth.staff import Staff
from acs.domain import CardStatus, Opposition
from acs.flows.backoffice.customers import CardLine
from acs.flows.securpass.errors import InvalidRequest, UnknownResource
from acs.storage import backoffice_queries as reads
from acs.storage import cards as card_store
from acs.storage import transactions as transaction_store
from acs.storage.audit import append_audit
from acs.storage.engine import Sessions
from acs.storage.securpass_models import FraudDeclarationRow

__all__ = [
    "CHANNELS",
    "QUALIFICATIONS",
    "Declaration",
    "FraudLine",
    "customer_of",
    "declare",
    "fraud_queue",
    "parse_amount",
    "qualify",
]

CHANNELS = {"phone": "appel téléphonique", "email": "e-mail", "branch": "en agence"}
QUALIFICATIONS = {
    "confirmed_fraud": "fraude avérée",
    "cardholder_mistake": "erreur du porteur",
    "duplicate": "doublon",
}
MAX_NOTE = 2000
_AMOUNT = re.compile(r"(\d{1,9})(?:[,.](\d{1,2}))?")


def parse_amount(text: str) -> int:
    """``41,99`` (or ``41.99``, ``41``) in euro cents."""
    found = _AMOUNT.fullmatch(text.strip().replace(" ", "").replace("\u202f", ""))
    if found is None:
        raise InvalidRequest("malformed_body", "Montant invalide : par exemple 41,99.")
    cents = (found.group(2) or "0").ljust(2, "0")
    return int(found.group(1)) * 100 + int(cents)


@dataclass(frozen=True)
class Declaration:
    """What an advisor writes down after a call or an e-mail: the card, and the transaction or
    the amount, merchant and date the cardholder gave."""

    customer_id: str
    card_id: int
    channel: str
    notes: str
    acs_trans_id: str | None = None
    amount_minor: int | None = None
    merchant: str = ""
    on: date | None = None
    oppose: bool = False


async def declare(
    sessions: Sessions, declaration: Declaration, *, staff: Staff, now: datetime
) -> int:
    """Record an advisor's declaration (and oppose the card for fraud if asked); its id."""
    d = declaration
    if d.channel not in CHANNELS:
        raise InvalidRequest("malformed_body", "Canal : téléphone, e-mail ou agence.")
    if len(d.notes) > MAX_NOTE:
        raise InvalidRequest("malformed_body", f"Notes : au plus {MAX_NOTE} caractères.")
    async with sessions.begin() as session:
        card = await card_store.get(session, d.card_id)
        if card is None or card.customer_id != d.customer_id:
            raise UnknownResource("unknown_card", "Cette carte n'est pas celle de ce client.")
        amount, currency, exponent, payee = await _what(session, d, card.id)
        if d.oppose and card.status == CardStatus.ACTIVE:
            card_store.set_status(card, CardStatus.OPPOSED, reason=Opposition.FRAUD, at=now)
        row = FraudDeclarationRow(
            customer_id=d.customer_id, card_id=card.id, acs_trans_id=d.acs_trans_id,
            amount_minor=amount, currency=currency, exponent=exponent, payee=payee[:200],
            declared_at=now, source="advisor", card_opposed=card.status == CardStatus.OPPOSED,
            channel=d.channel, notes=d.notes or None, declared_by=staff.actor,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        await append_audit(
            session, at=now, actor=staff.actor, action="fraud.declared",
            subject=f"customer:{d.customer_id}",
            detail={"declaration_id": row.id, "channel": d.channel, "card_id": card.id,
                    "acsTransID": d.acs_trans_id, "card_opposed": row.card_opposed,
                    "role": str(staff.role), "branch": staff.branch, "rule": "SP-55"},
        )  # fmt: skip
        return row.id


async def _what(session: Any, d: Declaration, card_id: int) -> tuple[int, str, int, str]:
    """The amount, currency, exponent and payee: the transaction's, or as the cardholder said."""
    if d.acs_trans_id:
        found = await transaction_store.get(session, d.acs_trans_id)
        if found is None or found.card_id != card_id:
            raise UnknownResource("unknown_transaction", "Ce paiement n'est pas de cette carte.")
        return (found.amount_minor or 0, found.currency or "978", found.exponent or 2,
                found.merchant_name or "")  # fmt: skip
    if d.amount_minor is None or not d.merchant.strip() or d.on is None:
        raise InvalidRequest(
            "malformed_body", "Choisissez le paiement, ou donnez montant, commerçant et date."
        )
    return d.amount_minor, "978", 2, f"{d.merchant.strip()} ({d.on.strftime('%d/%m/%Y')})"


@dataclass(frozen=True)
class FraudLine:
    declaration: FraudDeclarationRow
    customer_name: str
    card: CardLine | None
    acs_trans_id: str | None  # the declared payment's, or the refused 3-D Secure one's
    source: str  # in French

    @property
    def qualification(self) -> str:
        q = self.declaration.qualification
        return QUALIFICATIONS.get(q, q) if q else ""


async def fraud_queue(sessions: Sessions, *, open_only: bool = False) -> list[FraudLine]:
    async with sessions() as session:
        rows = await reads.fraud_queue(session, open_only=open_only)
    lines = []
    for declaration, customer, card, operation in rows:
        trans_id = declaration.acs_trans_id
        if trans_id is None and operation is not None and operation.ref_type == "3ds":
            trans_id = operation.ref_id
        source = "« Je refuse ce paiement » dans l'appli"
        if declaration.source == "advisor":
            source = f"conseiller ({CHANNELS.get(declaration.channel or '', '')})"
        card_line = CardLine.of(card) if card is not None else None
        lines.append(FraudLine(declaration, customer.full_name, card_line, trans_id, source))
    return lines


async def qualify(
    sessions: Sessions, declaration_id: int, *, qualification: str, note: str, staff: Staff,
    now: datetime,
) -> str:  # fmt: skip
    """Qualify (or requalify) a declaration with a note; the customer id."""
    if qualification not in QUALIFICATIONS:
        raise InvalidRequest("malformed_body", "Qualification : fraude avérée, erreur, doublon.")
    if len(note) > MAX_NOTE:
        raise InvalidRequest("malformed_body", f"Note : au plus {MAX_NOTE} caractères.")
    async with sessions.begin() as session:
        row = await session.get(FraudDeclarationRow, declaration_id)
        if row is None:
            raise UnknownResource("unknown_declaration", "Déclaration inconnue.")
        before = row.qualification
        row.qualification, row.qualification_note = qualification, note or None
        row.qualified_by, row.qualified_at = staff.actor, now
        await append_audit(
            session, at=now, actor=staff.actor, action="fraud.qualified",
            subject=f"customer:{row.customer_id}",
            detail={"declaration_id": row.id, "qualification": qualification, "before": before,
                    "note": note, "role": str(staff.role), "branch": staff.branch},
        )  # fmt: skip
        return row.customer_id


async def customer_of(sessions: Sessions, declaration_id: int) -> str:
    """The customer a declaration is about (404 if there is none)."""
    async with sessions() as session:
        row = await session.get(FraudDeclarationRow, declaration_id)
    if row is None:
        raise UnknownResource("unknown_declaration", "Déclaration inconnue.")
    return row.customer_id
