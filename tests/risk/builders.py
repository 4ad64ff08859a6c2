"""Builders for risk inputs: a known, active card on a 2.2.0 browser PA unless told otherwise."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from acs.risk import CardFacts, CustomerFacts, RiskInput, RiskThresholds

SECURPASS = CustomerFacts(has_active_device=True, has_secure_mobile=True)


def make_input(**changes: Any) -> RiskInput:
    """A risky 2.2.0 browser payment of 80 EUR by a Sécur'Pass user; ``changes`` override."""
    base = RiskInput(
        version="2.2.0",
        device_channel="02",
        message_category="01",
        card=CardFacts(known=True),
        customer=SECURPASS,
        amount_minor=8000,
        currency="978",
    )
    return replace(base, **changes)


def card(**changes: Any) -> CardFacts:
    return replace(CardFacts(known=True), **changes)


def customer(**changes: Any) -> CustomerFacts:
    return replace(SECURPASS, **changes)


def thresholds(**changes: Any) -> RiskThresholds:
    """The defaults with issuer TRA off, so that it exempts nothing unless a test asks."""
    return replace(RiskThresholds(issuer_tra_enabled=False), **changes)
