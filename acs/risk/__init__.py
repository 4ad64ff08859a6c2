"""Pure risk decisions: no I/O, one small function per rule, the order visible in one list."""

from acs.config import RiskThresholds
from acs.domain import CardStatus, Opposition
from acs.risk.engine import decide
from acs.risk.model import CardFacts, ChallengeMethod, CustomerFacts, Decision, RiskInput

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
