"""Find a customer (by id, name or card number) and gather the customer's page (SP-35, SP-60).

A typed card number is looked up by its keyed HMAC (:meth:`~acs.crypto.pan.PanVault.lookup_key`)
and never kept nor shown: cards are shown masked, ``4970 10•• •••• 0014``, from the stored
first six and last four digits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.crypto.pan import PanVault
from acs.flows.backoffice import french
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass import queries
from acs.flows.securpass.operations import is_trusted
from acs.securpass.eligibility import EMAIL_LATENCY
from acs.storage import backoffice_queries as reads
from acs.storage import securpass as store
from acs.storage.engine import Sessions
from acs.storage.models import AuditEvent, Card, Customer, Transaction
from acs.storage.securpass_models import DeviceRow, OperationRow

__all__ = [
    "CardLine",
    "CustomerHit",
    "CustomerPage",
    "card_number",
    "customer_page",
    "find_customers",
    "masked_card",
]

_PAN = re.compile(r"\d{12,19}")


def card_number(text: str) -> str | None:
    """The digits of ``text`` if it looks like a card number (12 to 19 digits, spaces allowed)."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if _PAN.fullmatch(digits) else None


def masked_card(card: Card) -> str:
    """``4970 10•• •••• 0014`` (a 16-digit card; the length is not stored in clear)."""
    shown = card.bin6 + "••••••" + card.last4
    return " ".join(shown[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class CardLine:
    card_id: int
    masked: str
    expiry: str  # MM/AA
    status: str  # in French
    opposed: bool
    used_at_terminal: bool

    @classmethod
    def of(cls, card: Card) -> CardLine:
        status = french.CARD_STATUS.get(str(card.status), str(card.status))
        if card.opposition_reason is not None:
            status += " " + french.OPPOSITION.get(str(card.opposition_reason), "")
        expiry = f"{card.expiry_yymm[2:]}/{card.expiry_yymm[:2]}"
        return cls(card.id, masked_card(card), expiry, status.strip(),
                   str(card.status) == "opposed", card.used_at_terminal)  # fmt: skip


@dataclass(frozen=True)
class CustomerHit:
    customer_id: str
    full_name: str
    kind: str
    cards: tuple[CardLine, ...]
    by_card: bool  # found by the card number typed


async def find_customers(sessions: Sessions, vault: PanVault, text: str) -> list[CustomerHit]:
    """By card number (its HMAC), else by id or part of the name; at most 20."""
    text = text.strip()[:100]
    if not text:
        return []
    pan = card_number(text)
    async with sessions() as session:
        if pan is not None:
            found = await reads.customer_of_card(session, vault.lookup_key(pan))
            rows: Sequence[Customer] = [found] if found is not None else []
        else:
            rows = await reads.search_customers(session, text)
        hits = []
        for row in rows:
            cards = await store.cards_of(session, row.id)
            lines = tuple(CardLine.of(c) for c in cards)
            hits.append(CustomerHit(row.id, row.full_name, str(row.kind), lines, pan is not None))
    return hits


@dataclass(frozen=True)
class DeviceLine:
    device_id: str
    model: str
    status: str
    active: bool
    since: str
    last_use: str
    uses: int
    trusted: bool


@dataclass(frozen=True)
class CustomerPage:
    """Everything the customer's page shows; ``summary`` is the JSON API's (SP-35, SP-60)."""

    customer: Customer
    summary: dict[str, Any]
    state: str  # the Sécur'Pass state in French, with its date
    cards: tuple[CardLine, ...]
    devices: tuple[DeviceLine, ...]
    transactions: tuple[Transaction, ...]
    operations: tuple[OperationRow, ...]
    audit: tuple[AuditEvent, ...]
    email_delay_ends: datetime | None  # SP-14 (b): when the 72 h delay ends, if still running
    lift_at: datetime | None  # SP-15: when the delay was lifted


async def customer_page(sessions: Sessions, customer_id: str, *, now: datetime) -> CustomerPage:
    summary = await queries.customer_summary(sessions, customer_id, now=now)  # 404 if unknown
    async with sessions() as session:
        customer = await enrol_flows.customer_or_404(session, customer_id)
        cards = await store.cards_of(session, customer_id)
        devices = await reads.devices_of(session, customer_id)
        transactions = await reads.recent_transactions(session, customer_id)
        operations = await reads.recent_operations(session, customer_id)
        audit = await reads.audit_trail(session, f"customer:{customer_id}")
        lift = await store.latest_lift(session, customer_id)
    return CustomerPage(
        customer=customer,
        summary=summary,
        state=state_text(summary.get("enrolment"), now=now),
        cards=tuple(CardLine.of(c) for c in cards),
        devices=tuple(_device_line(d) for d in devices),
        transactions=tuple(transactions),
        operations=tuple(operations),
        audit=tuple(audit),
        email_delay_ends=_delay_ends(customer, summary, now=now),
        lift_at=lift.lifted_at if lift is not None else None,
    )


def state_text(enrolment: dict[str, Any] | None, *, now: datetime) -> str:
    """Sécur'Pass as the advisor says it: "initié — à activer avant …", "souscrit le …"."""
    if enrolment is None:
        return "non souscrit"
    state = enrolment["state"]
    label = french.ENROLMENT_STATE.get(state, state)
    if state == "initiated" and enrolment["expires_at"]:
        deadline = datetime.fromisoformat(enrolment["expires_at"].replace("Z", "+00:00"))
        return f"{label} — à activer sur le téléphone avant le {french.when(deadline)} (24 h)"
    if state == "subscribed" and enrolment["activated_at"]:
        activated = datetime.fromisoformat(enrolment["activated_at"].replace("Z", "+00:00"))
        return f"{label} le {french.when(activated)}"
    if state == "locked":
        return f"{label} après 5 codes erronés : le client doit réactiver Sécur'Pass (SP-45)"
    if enrolment["ended_at"]:
        ended = datetime.fromisoformat(enrolment["ended_at"].replace("Z", "+00:00"))
        return f"{label} le {french.when(ended)}"
    return label


def _device_line(device: DeviceRow) -> DeviceLine:
    return DeviceLine(
        device_id=device.id,
        model=device.model,
        status=french.DEVICE_STATUS.get(str(device.status), str(device.status)),
        active=str(device.status) != "revoked",
        since=french.when(device.created_at),
        last_use=french.when(device.last_used_at) or "jamais",
        uses=device.successful_uses,
        trusted=is_trusted(device),
    )


def _delay_ends(customer: Customer, summary: dict[str, Any], *, now: datetime) -> datetime | None:
    recorded = customer.email_recorded_at if customer.personal_email else None
    if recorded is None or summary.get("delay_lift") is not None:
        return None
    ends = recorded + EMAIL_LATENCY
    return ends if ends > now else None
