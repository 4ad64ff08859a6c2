"""The public surface of ``acs.risk`` is pinned."""

from __future__ import annotations

import acs.risk


def test_public_names():
    """acs.risk exports the data contract and decide, nothing else."""
    assert sorted(acs.risk.__all__) == [
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
