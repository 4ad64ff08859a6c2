"""Authenticate an AReq: find the card, ask the risk engine, compute the proof, store, answer.

The message has been validated against its version's schema by the caller. Reads and writes go
through the caller's :class:`~acs.storage.areq_store.AReqStore`: the transaction row and the
card's exemption counters are written together or not at all, and a C/D transaction with its
challenge in one database transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from acs.clock import Clock
from acs.config import CardRange, Settings
from acs.crypto.appchannel import BadSdkKey, begin_app_session
from acs.crypto.ds_clients import ClientScheme
from acs.crypto.jose import seal_cek
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.crypto.proof import Proof, ProofInput, proof
from acs.flows.areq.ares import AppChallenge, AResContext, build_ares
from acs.flows.areq.ds_url import check_ds_url
from acs.flows.areq.facts import AReqFacts, amount_in, read_areq
from acs.flows.challenge.catalogue import areq_language
from acs.flows.challenge.start import open_challenge
from acs.flows.method import BrowserFacts, browser_facts, method_run_id
from acs.flows.securpass.operations import TooManyOperations, is_trusted
from acs.logs import bind_more
from acs.protocol import (
    ChallengeInd,
    DeviceChannel,
    ProtocolError,
    TransChallengeExemption,
    TransStatus,
)
from acs.protocol.messages import ARes
from acs.protocol.methods import rendering_type
from acs.risk import (
    CardFacts,
    CardStatus,
    CustomerFacts,
    Decision,
    Opposition,
    RiskInput,
    decide,
)
from acs.storage import transactions
from acs.storage.areq_store import AReqStore
from acs.storage.cards import CardView, LowValueClaim

__all__ = ["authenticate"]

log = logging.getLogger("acs.flows.areq.authenticate")

# threeDSReqPriorAuthMethod 02: the prior authentication was a challenge by this ACS.
_ACS_CHALLENGE = "02"


async def authenticate(
    message: dict[str, Any],
    version: str,
    *,
    store: AReqStore,
    settings: Settings,
    keys: KeyRing,
    vault: PanVault,
    clock: Clock,
    client: ClientScheme | None = None,
) -> dict[str, Any]:
    """Answer a validated AReq with an ARes; raise ProtocolError 305 for a PAN we don't serve,
    303 when the calling DS's client certificate (``client``, None without one) is not of the
    card's scheme, 203 for a dsURL outside its scheme's ``ds_urls``."""
    facts = read_areq(message, version)
    card_range = settings.range_for(facts.pan)
    if card_range is None:
        raise ProtocolError.transaction_data("acctNumber")
    if client is not None and client.scheme is not card_range.scheme:
        log.warning(
            "AReq refused: a %s DS certificate for a %s card", client.scheme, card_range.scheme
        )
        raise ProtocolError.access_denied("acctNumber")
    check_ds_url(facts.ds_url, card_range.scheme, settings)  # 203 dsURL: no RReq to elsewhere
    masked = vault.mask(facts.pan)
    bind_more(pan=masked)
    now = clock.now()
    run_id = method_run_id(message)
    method_run = (run_id, now) if run_id is not None else None  # read with the card
    card = await store.card_view(vault.lookup_key(facts.pan), method_run=method_run)
    customer_id = card.customer_id if card else None
    browser = await browser_facts(store, message, customer_id, now)
    inp = await _risk_input(store, facts, card, settings, now)
    inp = replace(inp, customer=replace(inp.customer, browser_known=browser.known))
    answer = _Answer(message, facts, card, card_range, browser, now)
    ares = await _decide_and_store(answer, inp, store=store, settings=settings, keys=keys)
    reason = f"/{ares.trans_status_reason}" if ares.trans_status_reason else ""
    log.info("AReq %s on %s: %s%s", ares.acs_trans_id, masked, ares.trans_status, reason)
    return ares.to_wire()


def _check_caller(client: ClientScheme | None, card_range: CardRange) -> None:
    """303 when the DS's client certificate is not of the card's scheme: each scheme's DS asks
    only for its own cards."""
    if client is not None and client.scheme is not card_range.scheme:
        owner = client.scheme or "no configured scheme"
        log.warning("AReq refused: a DS certificate of %s for a %s card", owner, card_range.scheme)
        raise ProtocolError.access_denied("acctNumber")


@dataclass(frozen=True)
class _Answer:
    """What is known of the AReq before the decision."""

    message: dict[str, Any]
    facts: AReqFacts
    card: CardView | None
    card_range: CardRange
    browser: BrowserFacts
    now: datetime


async def _decide_and_store(
    answer: _Answer, inp: RiskInput, *, store: AReqStore, settings: Settings, keys: KeyRing
) -> ARes:
    """Decide, build the ARes and store the transaction (and challenge) it describes."""
    decision = decide(inp, settings.risk)
    claim = _claim(answer.card, inp, settings) if decision.counts_as_low_value else None
    if decision.counts_as_low_value and claim is None:
        return await _decide_and_store(
            answer, _low_value_spent(inp, settings), store=store, settings=settings, keys=keys
        )
    facts, acs_trans_id = answer.facts, str(uuid.uuid4())
    bind_more(acsTransID=acs_trans_id)
    ctx = _context(
        settings, acs_trans_id, _proof(facts, decision, answer.card_range, keys, acs_trans_id)
    )
    cek = None
    status = TransStatus(decision.trans_status)
    if facts.device_channel == DeviceChannel.APP and status is TransStatus.CHALLENGE_REQUIRED:
        app_challenge, cek = _app_challenge(answer.message, facts, decision, settings, keys)
        ctx = replace(ctx, app_challenge=app_challenge)
    ares = build_ares(facts, decision, ctx)
    row = _row(facts, decision, answer.card, ares, answer.now)
    if status in (TransStatus.CHALLENGE_REQUIRED, TransStatus.DECOUPLED):
        try:
            async with store.session() as session:
                await transactions.add(session, **row)
                await open_challenge(
                    session, acs_trans_id=acs_trans_id, facts=facts, decision=decision,
                    card=answer.card, settings=settings, now=answer.now,
                    browser_fingerprint=answer.browser.fingerprint,
                    language=areq_language(answer.message),
                    cek_sealed=seal_cek(keys.session_wrap, cek, acs_trans_id) if cek else None,
                )  # fmt: skip
        except TooManyOperations:
            # Decoupled over the phone's operation limits: nothing was stored; decide again
            # without the phone, as the bank configured (SMS code or N / 19), at AReq time.
            limited = _push_limited(inp, settings)
            return await _decide_and_store(
                answer, limited, store=store, settings=settings, keys=keys
            )
    elif not await store.record(row, claim):
        # A concurrent AReq took the card's last low-value slot: nothing was stored; decide
        # again with the slots spent (the cardholder is authenticated instead).
        spent = _low_value_spent(inp, settings)
        return await _decide_and_store(answer, spent, store=store, settings=settings, keys=keys)
    return ares


async def _risk_input(
    store: AReqStore,
    facts: AReqFacts,
    card: CardView | None,
    settings: Settings,
    now: datetime,
) -> RiskInput:
    return RiskInput(
        version=facts.version,
        device_channel=facts.device_channel,
        message_category=facts.message_category,
        card=_card_facts(card, now),
        customer=_customer_facts(card),
        amount_minor=amount_in(facts, settings.risk.currency),
        currency=facts.purchase_currency,
        challenge_inds=facts.challenge_inds,
        authentication_ind=facts.authentication_ind,
        three_ri_ind=facts.three_ri_ind,
        dec_req_ind=facts.dec_req_ind,
        dec_max_time_minutes=facts.dec_max_time_minutes,
        trust_listed=facts.trust_listed,
        prior_sca_ref=await _prior_sca(store, facts, card),
    )


def _claim(card: CardView | None, inp: RiskInput, settings: Settings) -> LowValueClaim | None:
    """The low-value slot this AReq would take, or None if it cannot take one."""
    if card is None or inp.amount_minor is None:
        return None
    thr = settings.risk
    return LowValueClaim(
        card.id,
        inp.amount_minor,
        max_count=thr.low_value_max_count,
        max_cumulative_minor=thr.low_value_max_cumulative_minor,
        limit=thr.low_value_limit,
    )


def _low_value_spent(inp: RiskInput, settings: Settings) -> RiskInput:
    spent = replace(
        inp.card,
        low_value_count=settings.risk.low_value_max_count,
        low_value_cumulative_minor=settings.risk.low_value_max_cumulative_minor,
    )
    return replace(inp, card=spent)


def _push_limited(inp: RiskInput, settings: Settings) -> RiskInput:
    sms = settings.push_limit_action == "sms"
    return replace(inp, customer=replace(inp.customer, push_limited="sms" if sms else "refuse"))


def _card_facts(card: CardView | None, now: datetime) -> CardFacts:
    if card is None:
        return CardFacts(known=False)
    return CardFacts(
        known=True,
        status=CardStatus(card.status),
        opposition=Opposition(card.opposition_reason) if card.opposition_reason else None,
        expired=_expired(card.expiry_yymm, now),
        low_value_count=card.low_value_count,
        low_value_cumulative_minor=card.low_value_cumulative_minor,
    )


def _expired(expiry_yymm: str, now: datetime) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (2000 + int(expiry_yymm[:2]), int(expiry_yymm[2:])) < (now.year, now.month)


def _customer_facts(card: CardView | None) -> CustomerFacts:
    if card is None:
        return CustomerFacts()
    device = card.active_device
    return CustomerFacts(
        has_active_device=device is not None,
        has_secure_mobile=bool(card.customer.secure_mobile),
        sms_otp_blocked=card.customer.sms_otp_blocked,
        trusted_device=device is not None and is_trusted(device),  # SP-42
    )


async def _prior_sca(store: AReqStore, facts: AReqFacts, card: CardView | None) -> bool:
    """A prior challenge on this card that this ACS itself authenticated (3RI after SCA)."""
    if card is None:
        return False
    for ref, method in facts.prior_refs:
        if method != _ACS_CHALLENGE:
            continue
        prior = await store.prior(ref)
        if prior is not None and prior == (card.id, TransStatus.AUTHENTICATED):
            return True
    return False


def _proof(
    facts: AReqFacts,
    decision: Decision,
    card_range: CardRange,
    keys: KeyRing,
    acs_trans_id: str,
) -> Proof | None:
    """authenticationValue and ECI for Y/A; the ECI alone for I (data only); nothing else."""
    inp = ProofInput(
        trans_status=TransStatus(decision.trans_status),
        method=decision.challenge_method,
        pan=facts.pan,
        amount_minor=facts.purchase_amount,
        currency=facts.purchase_currency,
        merchant_name=facts.merchant_name,
        acs_trans_id=acs_trans_id,
        message_category=facts.message_category,
        # Only the acquirer's TRA (challengeInd 05) moves a Mastercard ECI to 06; the issuer's
        # own exemptions keep the authenticated ECI, whatever the version reports.
        exemption=TransChallengeExemption.TRA if "acquirer_tra" in decision.rules_fired else None,
        three_ri=facts.device_channel == DeviceChannel.THREE_RI,
        data_only=ChallengeInd.NO_CHALLENGE_DATA_SHARE_ONLY in facts.challenge_inds,
    )
    return proof(card_range, keys, inp)


def _app_challenge(
    message: dict[str, Any],
    facts: AReqFacts,
    decision: Decision,
    settings: Settings,
    keys: KeyRing,
) -> tuple[AppChallenge, bytes]:
    """acsSignedContent and acsRenderingType, with the content key (stored sealed)."""
    if keys.signer is None:
        raise ProtocolError.system_failure()
    try:
        session = begin_app_session(
            sdk_ephem_pub_key=message["sdkEphemPubKey"],
            sdk_reference_number=message["sdkReferenceNumber"],
            acs_url=f"{settings.base_url}/3ds/app-challenge",
            signer=keys.signer,
        )
    except BadSdkKey as exc:
        raise ProtocolError.invalid(["sdkEphemPubKey"]) from exc
    assert decision.challenge_method is not None  # the risk engine names it for C
    rendering = rendering_type(decision.challenge_method, DeviceChannel.APP, facts.version)
    return AppChallenge(session.acs_signed_content, rendering), session.cek


def _context(settings: Settings, acs_trans_id: str, found: Proof | None) -> AResContext:
    return AResContext(
        acs_trans_id=acs_trans_id,
        acs_reference_number=settings.acs_reference_number,
        acs_operator_id=settings.acs_operator_id,
        acs_url=f"{settings.base_url}/3ds/challenge",
        authentication_value=found.authentication_value if found else None,
        eci=found.eci if found else None,
    )


def _row(
    facts: AReqFacts,
    decision: Decision,
    card: CardView | None,
    ares: ARes,
    now: datetime,
) -> dict[str, Any]:
    """The transaction row: every column, as the PostgreSQL store inserts them all."""
    return {
        "acs_trans_id": ares.acs_trans_id,
        "three_ds_server_trans_id": facts.three_ds_server_trans_id,
        "ds_trans_id": facts.ds_trans_id,
        "sdk_trans_id": facts.sdk_trans_id,
        "message_version": facts.version,
        "device_channel": facts.device_channel,
        "message_category": facts.message_category,
        "card_id": card.id if card else None,
        "customer_id": card.customer_id if card else None,
        "amount_minor": facts.purchase_amount,
        "currency": facts.purchase_currency,
        "exponent": facts.purchase_exponent,
        "merchant_name": facts.merchant_name,
        "trans_status": decision.trans_status,
        "trans_status_reason": decision.reason,
        "exemption": decision.exemption,
        "eci": ares.eci or None,
        "authentication_value": ares.authentication_value or None,
        "challenge_method": decision.challenge_method,
        "challenge_mandated": decision.challenge_mandated,
        "risk_rules": list(decision.rules_fired),
        "notification_url": facts.notification_url,
        "ds_url": facts.ds_url,
        "ds_reference_number": facts.ds_reference_number,
        "three_ds_requestor_id": facts.requestor_id,
        "created_at": now,
        "updated_at": now,
    }
