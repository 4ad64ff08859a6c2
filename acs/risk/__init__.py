"""Pure risk decisions: no I/O, one small function per rule, the order visible in one list."""

from acs.risk.engine import decide
from acs.risk.model import (
    CardFacts,
    CardStatus,
    ChallengeMethod,
    CustomerFacts,
    Decision,
    Opposition,
    RiskInput,
    RiskThresholds,
)

__all__ = [
    "CardFacts",
    "CardStatus",
    "ChallengeMethod",
    "CustomerFacts",
    "Decision",
    "Opposition",
    "RiskInput",
    "RiskThresholds",
    "decide",
]
