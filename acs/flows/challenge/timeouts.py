"""Challenges nobody finished: the first CReq never came (N/14/05), no decision in time
(N/14/04), decoupled time exceeded (N/24/03). Run by the challenge worker of every process;
the conditional decision makes concurrent workers harmless.
"""

from __future__ import annotations

from datetime import datetime

from acs.flows.challenge.browser import end_challenge
from acs.flows.challenge.outcome import ResultKeys, Verdict
from acs.protocol.methods import ChallengeMethod
from acs.storage import challenges
from acs.storage.challenge_models import ChallengeRow
from acs.storage.engine import Sessions

__all__ = ["expire_due", "timeout_verdict"]


def timeout_verdict(row: ChallengeRow, now: datetime) -> Verdict:
    if row.method == ChallengeMethod.DECOUPLED:
        return Verdict.timed_out(decoupled=True)
    first = row.state == challenges.AWAITING and row.creq_deadline is not None
    return Verdict.timed_out(first_creq=first and now > row.creq_deadline)  # type: ignore[operator]


async def expire_due(*, sessions: Sessions, ctx: ResultKeys, now: datetime) -> list[str]:
    """Decide every late challenge; the hub keys to publish."""
    async with sessions() as session:
        rows = await challenges.due(session, now)
    keys: list[str] = []
    for row in rows:
        async with sessions.begin() as session:
            keys += await end_challenge(session, row, timeout_verdict(row, now), ctx, now)
    return keys
