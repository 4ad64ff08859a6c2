"""The transactions, searched and explained (docs/backoffice.md, "Transactions").

An explanation says, in French: every risk rule that fired, in the engine's order
(:data:`acs.risk.engine.RULES`), with the thresholds that applied; the exemption; the method;
the challenge's steps with their times (AReq, CReq and the phone woken, the decision, the RReq
queued, each delivery attempt, the RRes); the ECI and *whether* an authentication value was
issued — never the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from acs.config import RiskThresholds
from acs.crypto.pan import PanVault
from acs.flows.backoffice import french
from acs.flows.backoffice.customers import card_number, masked_card
from acs.flows.securpass.errors import UnknownResource
from acs.protocol.amounts import format_amount
from acs.risk.rules import tra_ceiling
from acs.storage import backoffice_queries as reads
from acs.storage import cards as card_store
from acs.storage import transactions as store
from acs.storage.backoffice_queries import TransactionFilter
from acs.storage.engine import Sessions
from acs.storage.models import Transaction

__all__ = [
    "EXEMPTIONS",
    "EXEMPTION_RULES",
    "Explanation",
    "Search",
    "Step",
    "exemption_of",
    "explain",
    "rule_text",
    "search_transactions",
]

EXEMPTIONS = {
    "05": "analyse de risque (TRA, RTS art. 18)",
    "08": "bénéficiaire de confiance (RTS art. 13)",
    "10": "faible montant (RTS art. 16)",
    "11": "paiement d'entreprise sécurisé (RTS art. 17)",
}
# The rules that grant each exemption (acs.risk.rules): before 2.3.1 only the decisive rule
# says which one was granted.
EXEMPTION_RULES = {
    "05": ("acquirer_tra", "issuer_tra"),
    "08": ("trust_list",),
    "10": ("low_value",),
    "11": ("secure_corporate",),
}
METHODS = {
    "securpass_oob": "Sécur'Pass (validation dans l'appli Banxo)",
    "sms_otp": "code par SMS (SOL/SMS)",
    "decoupled": "authentification découplée (dans l'appli, sans fenêtre)",
}


@dataclass(frozen=True)
class Search:
    """The search form: a card number (looked up by its HMAC), a customer, dates (Paris days,
    inclusive), the outcome (transStatus) and the exemption (a code, or ``none``)."""

    card: str = ""
    customer_id: str = ""
    since: date | None = None
    until: date | None = None
    outcome: str = ""
    exemption: str = ""


async def search_transactions(
    sessions: Sessions, vault: PanVault, search: Search
) -> list[Transaction]:
    async with sessions() as session:
        card_id = None
        if search.card.strip():
            pan = card_number(search.card)
            card = await reads.card_by_hmac(session, vault.lookup_key(pan)) if pan else None
            if card is None:
                return []
            card_id = card.id
        where = TransactionFilter(
            card_id=card_id,
            customer_id=search.customer_id.strip() or None,
            since=_start_of(search.since),
            until=_start_of(search.until + timedelta(days=1)) if search.until else None,
            trans_status=search.outcome or None,
            exemption=search.exemption or None,
            exemption_rules=EXEMPTION_RULES,
        )
        return list(await reads.find_transactions(session, where))


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), tzinfo=french.PARIS)


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str
    after: str  # seconds after the AReq, "+1,2 s"


@dataclass(frozen=True)
class Explanation:
    transaction: Transaction
    amount: str
    card: str
    outcome: str
    rules: tuple[str, ...]  # in the engine's order; the last one decided
    exemption: str
    method: str
    steps: tuple[Step, ...]
    eci: str
    authentication_value_issued: bool


async def explain(
    sessions: Sessions, acs_trans_id: str, *, thresholds: RiskThresholds
) -> Explanation:
    async with sessions() as session:
        t = await store.get(session, acs_trans_id)
        if t is None:
            raise UnknownResource("unknown_transaction", "Paiement inconnu.")
        card = await card_store.get(session, t.card_id) if t.card_id is not None else None
        challenge = await reads.challenge_of(session, acs_trans_id)
        operation = await reads.operation_for(session, acs_trans_id)
        outbox, attempts = await reads.results_of(session, acs_trans_id)
    steps = _steps(t, challenge, operation, outbox, attempts)
    return Explanation(
        transaction=t,
        amount=format_amount(t.amount_minor, t.exponent or 2, t.currency)
        if t.amount_minor is not None and t.currency else "",
        card=masked_card(card) if card is not None else "carte inconnue",
        outcome=_outcome(t),
        rules=tuple(
            rule_text(name, thresholds, decisive=i == len(t.risk_rules) - 1)
            for i, name in enumerate(t.risk_rules)
        ),
        exemption=EXEMPTIONS.get(exemption_of(t), "aucune"),
        method=METHODS.get(t.challenge_method or "", "sans challenge (frictionless)")
        if t.challenge_method else "sans challenge (frictionless)",
        steps=tuple(_timed(sorted(steps, key=lambda s: s.at), t.created_at)),
        eci=t.eci or "",
        authentication_value_issued=bool(t.authentication_value),
    )  # fmt: skip


def _steps(
    t: Transaction, challenge: Any, operation: Any, outbox: Any, attempts: Sequence[Any]
) -> list[Step]:
    """What happened, when: the AReq, the phone, the decision, the RReq and its attempts."""
    steps = [Step(t.created_at, "AReq reçue, ARes envoyée", "")]
    if operation is not None:
        steps.append(Step(operation.created_at, "CReq reçue ; téléphone réveillé", ""))
        if operation.decided_at is not None:
            how = f" ({operation.method})" if operation.method else ""
            decided = f"décision sur le téléphone : {operation.status}{how}"
            steps.append(Step(operation.decided_at, decided, ""))
    if challenge is not None and challenge.decided_at is not None:
        result = challenge.result_status or ""
        label = french.TRANS_STATUS.get(result, "")
        steps.append(Step(challenge.decided_at, f"challenge conclu : {result} ({label})", ""))
    if outbox is not None:
        steps.append(Step(outbox.created_at, "RReq mise en file d'envoi au DS", ""))
        for attempt in attempts:
            sent = f"envoi n° {attempt.attempt} de la RReq : {attempt.outcome}"
            steps.append(Step(attempt.started_at, sent, ""))
        if outbox.delivered_at is not None:
            steps.append(Step(outbox.delivered_at, "RRes reçue du DS (résultat remis)", ""))
    return steps


def exemption_of(t: Transaction) -> str:
    """The exemption granted: the stored code (2.3.1), else the decisive rule's."""
    if t.exemption:
        return t.exemption
    decisive = t.risk_rules[-1] if t.risk_rules and t.trans_status == "Y" else ""
    return next((code for code, rules in EXEMPTION_RULES.items() if decisive in rules), "")


def _outcome(t: Transaction) -> str:
    status = t.trans_status or ""
    text = f"{status} — {french.TRANS_STATUS.get(status, '')}"
    return text + (f" (motif {t.trans_status_reason})" if t.trans_status_reason else "")


def _timed(steps: Sequence[Step], start: datetime) -> list[Step]:
    def after(at: datetime) -> str:
        return f"+{(at - start).total_seconds():.1f} s".replace(".", ",")

    return [Step(s.at, s.what, after(s.at)) for s in steps]


def _euros(minor: int, currency: str = "978") -> str:
    return format_amount(minor, 2, currency)


def rule_text(name: str, thr: RiskThresholds, *, decisive: bool = True) -> str:
    """One fired rule, in French, with the thresholds it applies (today's settings: the
    thresholds of the moment are not stored with the transaction)."""
    if name == "card_known" and not decisive:
        return "card_known — carte connue de l'ACS : les règles suivantes s'appliquent"
    ceiling = tra_ceiling(thr)
    texts = {
        "card_known": "carte inconnue de l'ACS : refus",
        "card_opposed": "carte en opposition : refus (motif 11 fraude, 10 perte ou vol)",
        "card_cancelled": "carte annulée : refus",
        "card_expired": "carte expirée : refus",
        "data_only": "demande d'information seulement (pas de paiement)",
        "three_ri_prior_sca": "3RI après une authentification récente",
        "three_ri_no_payment": "3RI sans paiement",
        "challenge_mandated": "le commerçant signale un challenge imposé (mandat)",
        "challenge_requested": "le commerçant demande un challenge (challengeInd)",
        "three_ri_needs_sca": "3RI : authentification forte nécessaire",
        "npa_needs_sca": "opération sans paiement : authentification forte nécessaire",
        "secure_corporate": "paiement d'entreprise sécurisé (RTS art. 17)",
        "acquirer_tra": "TRA de l'acquéreur (challengeInd 05) jusqu'à "
        + _euros(thr.acquirer_tra_max_minor),
        "trust_list": "bénéficiaire de confiance du porteur (RTS art. 13)",
        "issuer_tra": "analyse de risque de l'émetteur (RTS art. 18) : montant au plus "
        + (_euros(ceiling) if ceiling else "— (aucune tranche ouverte)")
        + ", appareil de confiance (SP-42) ou navigateur connu",
        "low_value": f"faible montant (RTS art. 16) : au plus {_euros(thr.low_value_max_minor)}"
        f", {thr.low_value_max_count} exemptions ou "
        f"{_euros(thr.low_value_max_cumulative_minor)} cumulés depuis la dernière "
        "authentification forte",
        "sca_required": "authentification forte requise",
        "operations_limited": "trop d'opérations en attente sur le téléphone : repli",
        "decoupled_too_short": "délai découplé trop court",
        "method_decoupled": "méthode : authentification découplée",
        "three_ri_no_challenge": "3RI : pas de challenge possible",
        "method_securpass": "méthode : Sécur'Pass (appli Banxo)",
        "sms_otp_blocked": "codes SMS bloqués après 5 erreurs (RTS art. 4(3)(b))",
        "method_sms_otp": "méthode : code par SMS",
        "not_enrolled": "ni Sécur'Pass ni mobile sécurisé : pas d'authentification possible",
    }
    return f"{name} — {texts.get(name, '')}".rstrip(" —")
