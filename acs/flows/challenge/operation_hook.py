"""The "3ds" operation hook: the phone decided a challenge's Sécur'Pass operation.

Called by the Sécur'Pass routes inside the deciding database transaction; records the verdict
and enqueues the RReq in that same transaction; returns the hub keys to publish after commit.
A ``not_me`` refusal is a fraud declaration, handled (card opposed) on the Sécur'Pass side; the
payment gets N with transStatusReason 01 (card authentication failed).
"""

from __future__ import annotations

from collections.abc import Sequence

from acs.flows.challenge.outcome import ResultKeys, Verdict, conclude
from acs.flows.securpass.operations import OperationHook, OperationOutcome
from acs.protocol import DeviceChannel
from acs.protocol.methods import ChallengeMethod
from acs.storage import challenges
from acs.storage.engine import Session

__all__ = ["operation_hook", "verdict_for"]


def verdict_for(outcome: OperationOutcome, method: str) -> Verdict:
    if outcome.status == "approved":
        return Verdict.approved("phone")
    if outcome.status == "expired":
        return Verdict.timed_out(decoupled=method == ChallengeMethod.DECOUPLED)
    return Verdict.refused("phone" if outcome.status == "refused" else outcome.status)


def operation_hook(ctx: ResultKeys) -> OperationHook:
    async def hook(session: Session, outcome: OperationOutcome) -> Sequence[str]:
        if outcome.ref_id is None:
            return []
        row = await challenges.get(session, outcome.ref_id)
        if row is None or row.operation_id != outcome.operation_id:
            return []
        verdict = verdict_for(outcome, row.method)
        if row.state == challenges.OPEN and row.channel != DeviceChannel.THREE_RI:
            await challenges.set_fields(
                session, row.acs_trans_id, expect_state=(challenges.OPEN,),
                interaction_counter=row.interaction_counter + 1,
            )  # fmt: skip
        keys = await conclude(session, row.acs_trans_id, verdict, ctx=ctx, now=outcome.decided_at)
        return keys or []

    return hook
