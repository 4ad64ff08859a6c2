"""Eligibility (SP-10 … SP-16) and the advisor's lift of the 72-hour delay (SP-15)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from acs.clock import FrozenClock
from acs.securpass.eligibility import (
    ActivationChannel,
    CardFact,
    CardStatus,
    CustomerKind,
    EligibilityFacts,
    IdentityCheck,
    LiftRecord,
    check_eligibility,
    validate_lift,
)
from acs.securpass.errors import InvalidLift, Reason

NOW = FrozenClock().now()
USED_CARD = CardFact(CardStatus.ACTIVE, used_at_terminal=True)


def facts(**changes) -> EligibilityFacts:
    base = EligibilityFacts(
        kind=CustomerKind.INDIVIDUAL,
        has_app=True,
        remote_banking=True,
        secure_mobile=True,
        personal_email_recorded_at=None,
        cards=(USED_CARD,),
    )
    return replace(base, **changes)


def rules(result) -> list[str]:
    return [u.rule for u in result.unmet]


def test_eligible_customer_with_used_active_card() -> None:
    """An individual with app, BAD, secure phone and a used active card is eligible (SP-10..14a)."""
    result = check_eligibility(facts(), channel="app", now=NOW)
    assert result.eligible and result.unmet == ()


def test_sp10_business_customer_is_not_eligible() -> None:
    """SP-10: Sécur'Pass is for individual customers only."""
    assert rules(check_eligibility(facts(kind=CustomerKind.BUSINESS), channel="app", now=NOW)) == [
        "SP-10"
    ]


def test_sp11_to_sp13_every_unmet_condition_is_returned() -> None:
    """SP-11, SP-12, SP-13 and SP-14 failures are all reported together, not just the first."""
    bare = facts(has_app=False, remote_banking=False, secure_mobile=False, cards=())
    result = check_eligibility(bare, channel=ActivationChannel.APP, now=NOW)
    assert not result.eligible
    assert rules(result) == ["SP-11", "SP-12", "SP-13", "SP-14"]
    assert all(u.message for u in result.unmet)


@pytest.mark.parametrize(
    "card",
    [
        CardFact(CardStatus.OPPOSED, used_at_terminal=True),
        CardFact(CardStatus.CANCELLED, used_at_terminal=True),
        CardFact(CardStatus.ACTIVE, used_at_terminal=False),
    ],
)
def test_sp14_card_route_needs_active_card_used_at_terminal(card: CardFact) -> None:
    """SP-14 (a): an opposed, cancelled or never-used card does not qualify."""
    assert rules(check_eligibility(facts(cards=(card,)), channel="app", now=NOW)) == ["SP-14"]


def test_sp14_any_one_qualifying_card_is_enough() -> None:
    """SP-14 (a): one qualifying card among others is enough."""
    cards = (CardFact(CardStatus.OPPOSED, used_at_terminal=True), USED_CARD)
    assert check_eligibility(facts(cards=cards), channel="app", now=NOW).eligible


def test_sp14_email_route_needs_72_hours() -> None:
    """SP-14 (b): a personal e-mail recorded more than 72 h ago qualifies; 71 h does not."""
    old = facts(cards=(), personal_email_recorded_at=NOW - timedelta(hours=72, seconds=1))
    young = facts(cards=(), personal_email_recorded_at=NOW - timedelta(hours=71))
    assert check_eligibility(old, channel="app", now=NOW).eligible
    result = check_eligibility(young, channel="app", now=NOW)
    assert rules(result) == ["SP-14"]
    assert "72 heures" in result.unmet[0].message


def test_sp14_exactly_72_hours_is_not_more_than_72() -> None:
    """SP-14 (b) says *more than* 72 hours: exactly 72 h is still too recent."""
    exact = facts(cards=(), personal_email_recorded_at=NOW - timedelta(hours=72))
    assert not check_eligibility(exact, channel="app", now=NOW).eligible


def test_sp14_email_route_moves_with_the_clock(clock: FrozenClock) -> None:
    """SP-14 (b): the same customer becomes eligible once the injected clock passes 72 h."""
    young = facts(cards=(), personal_email_recorded_at=clock.now())
    assert not check_eligibility(young, channel="app", now=clock.now()).eligible
    clock.advance(hours=72, minutes=1)
    assert check_eligibility(young, channel="app", now=clock.now()).eligible


def test_sp15_lift_waives_the_72_hours() -> None:
    """SP-15: a recorded lift makes a fresh e-mail count at once."""
    lifted = facts(cards=(), personal_email_recorded_at=NOW - timedelta(hours=1), delay_lifted=True)
    assert check_eligibility(lifted, channel="app", now=NOW).eligible


def test_sp15_lift_does_not_replace_a_missing_email() -> None:
    """SP-15 lifts the delay, not the need for an e-mail address."""
    lifted = facts(cards=(), personal_email_recorded_at=None, delay_lifted=True)
    assert rules(check_eligibility(lifted, channel="app", now=NOW)) == ["SP-14"]


def test_sp16_branch_needs_neither_card_nor_email() -> None:
    """SP-16: face to face in branch, app + BAD + secure phone is enough."""
    bare = facts(cards=(), personal_email_recorded_at=None)
    assert check_eligibility(bare, channel="branch", now=NOW).eligible
    assert not check_eligibility(bare, channel="app", now=NOW).eligible


def test_sp16_branch_still_needs_the_basics() -> None:
    """SP-16 waives only card and e-mail: SP-10 … SP-13 still apply in branch."""
    result = check_eligibility(facts(secure_mobile=False, cards=()), channel="branch", now=NOW)
    assert rules(result) == ["SP-13"]


def test_unknown_channel_is_refused() -> None:
    """Only "app" and "branch" are activation channels."""
    with pytest.raises(ValueError):
        check_eligibility(facts(), channel="call_centre", now=NOW)


def test_sp15_valid_lift_is_accepted() -> None:
    """SP-15: advisor, time and a reinforced check make a valid lift."""
    lift = LiftRecord("adv-42", NOW - timedelta(minutes=5), IdentityCheck.ADDRESS_CHANGE_PROCEDURE)
    assert validate_lift(lift, now=NOW) == lift


@pytest.mark.parametrize(
    "lift",
    [
        LiftRecord("", NOW, IdentityCheck.ADDRESS_CHANGE_PROCEDURE),
        LiftRecord("  ", NOW, IdentityCheck.ADDRESS_CHANGE_PROCEDURE),
        LiftRecord("adv-42", NOW, "asked_nicely"),
        LiftRecord("adv-42", NOW + timedelta(hours=1), IdentityCheck.IDENTITY_DOCUMENT_IN_BRANCH),
        LiftRecord("adv-42", NOW.replace(tzinfo=None), IdentityCheck.IDENTITY_DOCUMENT_IN_BRANCH),
    ],
)
def test_sp15_lift_without_advisor_time_or_reinforced_check_is_refused(lift) -> None:
    """SP-15: a lift is refused without who, when, and which reinforced identity check."""
    with pytest.raises(InvalidLift) as info:
        validate_lift(lift, now=NOW)
    assert info.value.reason == Reason.INVALID_LIFT
