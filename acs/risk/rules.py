"""The risk rules, one small pure function each. The order they run in lives in ``engine.py``.

Every rule has the same shape: ``rule(inp, thresholds, sca) -> Outcome | None``.

- ``None``: the rule does not apply; it leaves no trace.
- :class:`~acs.risk.model.Decision`: the rule decides; the engine stops there.
- :class:`Passed`: a gate the transaction went through (recorded in ``rules_fired``).
- :class:`ScaNeeded`: strong customer authentication is needed; the method rules decide how.
  ``sca`` is the :class:`ScaNeeded` of an earlier rule, or ``None`` while no rule has asked
  for SCA yet. Exemptions and further SCA triggers only run while ``sca`` is ``None``, so an
  exemption never overrides a mandate (RTS Art. 10-18 exempt *from* SCA; they never cancel
  an SCA the requestor or a regional rule demands).

Code tables: transStatus, transStatusReason, threeDSRequestorChallengeInd and threeRIInd
from EMV 3DS 2.1.0/2.2.0/2.3.1 (reference emv3ds.md §3). Exemptions: Commission Delegated
Regulation (EU) 2018/389 (RTS), Art. 13, 16, 17, 18.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from acs.config import RiskThresholds
from acs.domain import CardStatus, Opposition
from acs.risk.model import ChallengeMethod, Decision, RiskInput

__all__ = [
    "Outcome",
    "Passed",
    "Rule",
    "ScaNeeded",
    "at_least",
    "tra_band",
    "tra_ceiling",
]

APP, BRW, THREE_RI = "01", "02", "03"
PAYMENT, NON_PAYMENT = "01", "02"
DECOUPLED_DEFAULT_MINUTES = 10080  # threeDSRequestorDecMaxTime absent: the spec assumes 7 days


@dataclass(frozen=True)
class Passed:
    """A gate the transaction passed; it shapes the outcome by letting the next rules run."""


@dataclass(frozen=True)
class ScaNeeded:
    """SCA is needed; ``mandated`` when the requestor signalled a regional mandate (04)."""

    mandated: bool = False


Outcome = Decision | Passed | ScaNeeded
Rule = Callable[[RiskInput, RiskThresholds, ScaNeeded | None], Outcome | None]


def at_least(version: str, minimum: str) -> bool:
    """Compare dotted protocol versions numerically ("2.3.1" >= "2.2.0")."""
    return _parts(version) >= _parts(minimum)


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _deny(reason: str) -> Decision:
    return Decision(trans_status="N", reason=reason)


def _exempt(code: str, *, counts_as_low_value: bool = False) -> Decision:
    return Decision(trans_status="Y", exemption=code, counts_as_low_value=counts_as_low_value)


def _asks(inp: RiskInput, *codes: str) -> bool:
    return any(code in inp.challenge_inds for code in codes)


def _before_sca(rule: Rule) -> Rule:
    """Run ``rule`` only while no earlier rule has asked for SCA."""

    @wraps(rule)
    def guarded(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
        return None if sca is not None else rule(inp, thr, sca)

    return guarded


# --- The card ------------------------------------------------------------------------------


def card_known(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome:
    """A PAN in a served range with no card record: N, reason 08 "no card record"."""
    return Passed() if inp.card.known else _deny("08")


def card_opposed(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """An opposed card: N, reason 10 "stolen card" when lost/stolen, else 11 "suspected fraud"."""
    if inp.card.status is not CardStatus.OPPOSED:
        return None
    return _deny("10" if inp.card.opposition is Opposition.LOST_STOLEN else "11")


def card_cancelled(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """A cancelled card: N, reason 12 "transaction not permitted to cardholder"."""
    return _deny("12") if inp.card.status is CardStatus.CANCELLED else None


def card_expired(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """An expired card: N, reason 05 "expired card"."""
    return _deny("05") if inp.card.expired else None


# --- What the requestor asked for ----------------------------------------------------------


def data_only(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """challengeInd 06 "data share only" (2.2+): I; C is never allowed with 06 (Table A.17)."""
    if at_least(inp.version, "2.2.0") and _asks(inp, "06"):
        return Decision(trans_status="I")
    return None


def three_ri_prior_sca(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """3RI recurring/instalment (threeRIInd 01/02) after a prior SCA: Y, a MIT is out of scope."""
    if inp.device_channel == THREE_RI and inp.three_ri_ind in ("01", "02") and inp.prior_sca_ref:
        return Decision(trans_status="Y")
    return None


_STATUS_CHECKS = {"10", "13", "14"}  # trust list, device binding, CSC status checks
_ACCOUNT_CHECKS = {"03", "04", "05"}  # add card, maintain card, account verification


def three_ri_no_payment(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """3RI NPA with no payment at stake: Y for 03/04/05 (card valid), I for 10/13/14 (2.2+)."""
    if inp.device_channel != THREE_RI or inp.message_category != NON_PAYMENT:
        return None
    if inp.three_ri_ind in _ACCOUNT_CHECKS:
        return Decision(trans_status="Y")
    if inp.three_ri_ind in _STATUS_CHECKS and at_least(inp.version, "2.2.0"):
        return Decision(trans_status="I")
    return None


@_before_sca
def challenge_mandated(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """challengeInd 04 "mandate" in any element: SCA, and acsChallengeMandated=Y."""
    return ScaNeeded(mandated=True) if _asks(inp, "04") else None


_PREFERENCES = {"2.1.0": ("03",), "2.2.0": ("03", "09")}


@_before_sca
def challenge_requested(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """challengeInd 03/09 (2.2+), 12/13/14 (2.3.1) ask for a challenge: the issuer honours it."""
    codes = _PREFERENCES.get(inp.version, ("03", "09", "12", "13", "14"))
    return ScaNeeded() if _asks(inp, *codes) else None


@_before_sca
def three_ri_needs_sca(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """Any other 3RI: no cardholder-initiated exemption applies, so SCA (decoupled) is needed."""
    return ScaNeeded() if inp.device_channel == THREE_RI else None


@_before_sca
def npa_needs_sca(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """An NPA from app or browser (add card, verification...) needs SCA: no payment exemption."""
    return ScaNeeded() if inp.message_category == NON_PAYMENT else None


# --- PSD2 exemptions (RTS Chapter III) -----------------------------------------------------


def _amount_in(inp: RiskInput, thr: RiskThresholds) -> int | None:
    """The amount in the thresholds' currency, or None when no amount rule can apply."""
    return inp.amount_minor if inp.currency == thr.currency else None


@_before_sca
def secure_corporate(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """2.3.1 challengeInd 11 for a card in an approved corporate process (RTS Art. 17): Y, 11."""
    asked = at_least(inp.version, "2.3.1") and _asks(inp, "11")
    if asked and thr.secure_corporate_enabled and inp.customer.corporate:
        return _exempt("11")
    return None


@_before_sca
def acquirer_tra(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """challengeInd 05 (2.2+), amount within the acquirer TRA ceiling (RTS Art. 18): Y, 05."""
    amount = _amount_in(inp, thr)
    asked = at_least(inp.version, "2.2.0") and _asks(inp, "05")
    if asked and amount is not None and amount <= thr.acquirer_tra_max_minor:
        return _exempt("05")
    return None


@_before_sca
def trust_list(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """A merchant the cardholder trust-listed (RTS Art. 13; challengeInd 08 asks for it): Y, 08."""
    return _exempt("08") if thr.trust_list_enabled and inp.trust_listed else None


def tra_ceiling(thr: RiskThresholds) -> int | None:
    """The highest ETV band whose reference fraud rate the issuer's own rate meets (Art. 18/19)
    and that the fraud-rate monitor has not closed (Art. 20)."""
    bands = zip(thr.tra_band_limits_minor, thr.tra_band_reference_bps, strict=True)
    allowed = [
        limit
        for limit, ref in bands
        if thr.issuer_fraud_rate_bps <= ref and limit not in thr.tra_closed_bands
    ]
    return max(allowed, default=None)


def tra_band(amount: int, thr: RiskThresholds) -> int | None:
    """The ETV band (its limit) an amount falls in; None above the top band."""
    return next((limit for limit in sorted(thr.tra_band_limits_minor) if amount <= limit), None)


def _low_risk(inp: RiskInput, thr: RiskThresholds) -> bool:
    """Art. 18(2)(c): no unusual device; an unseen browser counts as unusual when configured."""
    customer = inp.customer
    if customer.browser_known is False and thr.new_browser_challenges:
        return False
    return customer.trusted_device or customer.browser_known is True


@_before_sca
def issuer_tra(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """The issuer's own TRA: amount within its ETV band and a low-risk device: Y, 05."""
    amount, ceiling = _amount_in(inp, thr), tra_ceiling(thr)
    if not thr.issuer_tra_enabled or amount is None or ceiling is None:
        return None
    if amount > ceiling or tra_band(amount, thr) in thr.tra_closed_bands:
        return None  # above the ceiling, or its own band closed by the monitor
    return _exempt("05") if _low_risk(inp, thr) else None


def _within_low_value_counters(amount: int, inp: RiskInput, thr: RiskThresholds) -> bool:
    """RTS Art. 16(b)/(c): the issuer applies either the count or the cumulative limit."""
    card = inp.card
    if thr.low_value_limit == "cumulative":
        return card.low_value_cumulative_minor + amount <= thr.low_value_max_cumulative_minor
    return card.low_value_count < thr.low_value_max_count


@_before_sca
def low_value(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """Low value (RTS Art. 16; 2.3.1 challengeInd 10 asks for it): Y, 10, and count it."""
    amount = _amount_in(inp, thr)
    if amount is None or amount > thr.low_value_max_minor:
        return None
    if not _within_low_value_counters(amount, inp, thr):
        return None
    return _exempt("10", counts_as_low_value=True)


@_before_sca
def sca_required(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome:
    """No exemption applies: SCA is required (PSD2 Art. 97(1)(b), remote payment)."""
    return ScaNeeded()


# --- How to authenticate ---------------------------------------------------------------------


def _device_usable(inp: RiskInput) -> bool:
    """An active Sécur'Pass device that may get one more operation (not over the limits)."""
    return inp.customer.has_active_device and inp.customer.push_limited is None


def _decoupled_possible(inp: RiskInput) -> bool:
    """D needs 2.2+, threeDSRequestorDecReqInd Y or B, and a usable Sécur'Pass device."""
    requested = inp.dec_req_ind in ("Y", "B")
    return at_least(inp.version, "2.2.0") and requested and _device_usable(inp)


def operations_limited(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """The phone already has as many operations as the bank allows (push bombing): N, reason
    19 "exceeds ACS maximum challenges" — unless the bank falls back to the SMS code and the
    cardholder can get one (a secure mobile, a channel that can be challenged)."""
    action = inp.customer.push_limited
    if action is None:
        return None
    if action == "sms" and inp.customer.has_secure_mobile and inp.device_channel != THREE_RI:
        return None  # the SMS rules decide (sms_otp_blocked may still answer 19)
    return _deny("19")


def decoupled_too_short(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """Decoupled asked with less time than the ACS needs: N, reason 25 (2.2+)."""
    minutes = inp.dec_max_time_minutes or DECOUPLED_DEFAULT_MINUTES
    if _decoupled_possible(inp) and minutes < thr.decoupled_min_time_minutes:
        return _deny("25")
    return None


def method_decoupled(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """Decoupled asked and possible: D, approval in the Banxo app (spec §1.8)."""
    if _decoupled_possible(inp):
        return Decision(trans_status="D", challenge_method=ChallengeMethod.DECOUPLED)
    return None


def three_ri_no_challenge(
    inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None
) -> Outcome | None:
    """3RI needing SCA cannot be challenged (no C for 3RI): N, reason 23 or 21."""
    if inp.device_channel != THREE_RI:
        return None
    could_decouple = at_least(inp.version, "2.2.0") and _device_usable(inp)
    # 23 tells the requestor that a decoupled retry would work; 21 that it would not.
    return _deny("23" if could_decouple else "21")


def method_securpass(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """A usable Sécur'Pass device: C, out-of-band approval in the Banxo app."""
    if _device_usable(inp):
        return Decision(trans_status="C", challenge_method=ChallengeMethod.SECURPASS_OOB)
    return None


def sms_otp_blocked(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """SMS OTP is the only way left but blocked after 5 wrong codes in a row (RTS Art. 4(3)(b)):
    N, reason 19 "exceeds ACS maximum challenges" — no new code is sent until a reset."""
    if inp.customer.has_secure_mobile and inp.customer.sms_otp_blocked:
        return _deny("19")
    return None


def method_sms_otp(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome | None:
    """No device but a secure mobile number: C, SMS OTP fallback."""
    if inp.customer.has_secure_mobile:
        return Decision(trans_status="C", challenge_method=ChallengeMethod.SMS_OTP)
    return None


def not_enrolled(inp: RiskInput, thr: RiskThresholds, sca: ScaNeeded | None) -> Outcome:
    """No way to authenticate the cardholder: N, reason 13 "cardholder not enrolled"."""
    return _deny("13")
