"""Run the rules of ``rules.py`` in the order of :data:`RULES`, first to decide wins.

The engine records the name of every rule that returned something (``rules_fired``), carries the
"SCA needed" partial outcome to the method rules, and fits the decision to the message version:
transChallengeExemption only exists in 2.3.1, and a transStatusReason the version does not know
is mapped to the closest older code (:data:`REASON_FALLBACK`, see docs/risk-rules.md).
"""

from __future__ import annotations

from dataclasses import replace

from acs.config import RiskThresholds
from acs.protocol.codes import TransStatus
from acs.risk import rules
from acs.risk.model import Decision, RiskInput
from acs.risk.rules import Rule, ScaNeeded, at_least

__all__ = ["REASON_FALLBACK", "RULES", "decide"]

# The order is the policy: card facts first, then what the requestor asked for, then SCA
# triggers, then exemptions (only while nothing demanded SCA), then how to authenticate.
RULES: tuple[Rule, ...] = (
    rules.card_known,
    rules.card_opposed,
    rules.card_cancelled,
    rules.card_expired,
    rules.data_only,
    rules.three_ri_prior_sca,
    rules.three_ri_no_payment,
    rules.challenge_mandated,
    rules.challenge_requested,
    rules.three_ri_needs_sca,
    rules.npa_needs_sca,
    rules.secure_corporate,
    rules.acquirer_tra,
    rules.trust_list,
    rules.issuer_tra,
    rules.low_value,
    rules.sca_required,
    rules.operations_limited,
    rules.decoupled_too_short,
    rules.method_decoupled,
    rules.three_ri_no_challenge,
    rules.method_securpass,
    rules.sms_otp_blocked,
    rules.method_sms_otp,
    rules.not_enrolled,
)

# transStatusReason codes newer than a version, mapped to the closest code that version has.
REASON_FALLBACK: dict[str, str] = {
    "22": "07",  # ACS technical issue -> invalid transaction (2.1.0 has no technical code)
    "23": "21",  # decoupled required but not requested -> 3RI not supported
    "24": "14",  # decoupled max time exceeded -> timed out at the ACS
    "25": "14",  # too little decoupled time -> timed out at the ACS
    "26": "01",  # attempted but not performed -> card authentication failed
    "27": "03",  # preferred method not supported -> unsupported device
    "28": "09",  # CSP validation failed -> security failure
    "29": "01",  # not completed, fall back to decoupled -> card authentication failed
    "30": "01",  # more authentication needed -> card authentication failed
}
_MAX_REASON = {"2.1.0": 21, "2.2.0": 26}  # 2.3.1 and later: 30


def decide(inp: RiskInput, thresholds: RiskThresholds) -> Decision:
    """Decide transStatus, reason, exemption and challenge method for one AReq. No I/O."""
    sca: ScaNeeded | None = None
    fired: list[str] = []
    for rule in RULES:
        outcome = rule(inp, thresholds, sca)
        if outcome is None:
            continue
        fired.append(rule.__name__)
        if isinstance(outcome, Decision):
            return _finish(outcome, sca, tuple(fired), inp.version)
        if isinstance(outcome, ScaNeeded):
            sca = outcome
    raise AssertionError("the last rule always decides")  # pragma: no cover


def _finish(
    decision: Decision, sca: ScaNeeded | None, fired: tuple[str, ...], version: str
) -> Decision:
    challenging = decision.trans_status in (TransStatus.CHALLENGE_REQUIRED, TransStatus.DECOUPLED)
    return replace(
        decision,
        reason=fit_reason(decision.reason, version),
        exemption=decision.exemption if at_least(version, "2.3.1") else None,
        challenge_mandated=challenging and sca is not None and sca.mandated,
        rules_fired=fired,
    )


def fit_reason(reason: str | None, version: str) -> str | None:
    """Map a transStatusReason the version does not define to the closest one it does."""
    limit = _MAX_REASON.get(version, 30)
    while reason is not None and int(reason) > limit:
        reason = REASON_FALLBACK[reason]
    return reason
