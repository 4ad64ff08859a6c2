"""The challenge's waits: "decided, and its RRes in" before the final CRes leaves (§5: RReq,
RRes, then CRes), and the status long-poll's wait for a decision.

Each wait re-reads the database (the only truth) and sleeps on the hub key
``challenge:<acsTransID>``, which the deciding commit and the results sender publish. Deadlines
are on a monotonic clock (``monotonic``, injectable), not on the wall clock of the flows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from acs.flows.challenge import browser
from acs.flows.challenge.app import AppStep
from acs.flows.challenge.browser import Screen
from acs.notify import topics
from acs.notify.hub import Hub
from acs.storage import challenges, outbox
from acs.storage.challenge_models import ChallengeRow, OutboxRow
from acs.storage.engine import Sessions

__all__ = ["decided", "phone_or_rres", "settled"]

Monotonic = Callable[[], float]


def decided(screen: Screen) -> bool:
    return screen.row.state == challenges.DECIDED


def _delivered(box: OutboxRow | None) -> bool:
    """The RRes is in (or the RReq gave up): the final CRes may leave."""
    return box is not None and box.state != outbox.PENDING


async def settled(
    sessions: Sessions,
    hub: Hub,
    acs_trans_id: str,
    *,
    decided_wait: float,
    grace: float,
    monotonic: Monotonic = time.monotonic,
) -> Screen | None:
    """The screen once decided and delivered (or after the waits run out): up to
    ``decided_wait`` seconds for a decision, then up to ``grace`` more for the RRes."""
    deadline = monotonic() + decided_wait
    while True:
        async with sessions() as session:
            screen = await browser.snapshot(session, acs_trans_id)
        if screen is None:
            return None
        is_decided = decided(screen)
        if is_decided and (_delivered(screen.box) or monotonic() >= deadline + grace):
            return screen
        if not is_decided and monotonic() >= deadline:
            return screen
        if is_decided:
            deadline = min(deadline, monotonic())
        remaining = (deadline + grace if is_decided else deadline) - monotonic()
        await hub.wait(topics.challenge(acs_trans_id), max(remaining, 0.05))


async def phone_or_rres(
    sessions: Sessions,
    hub: Hub,
    step: AppStep,
    *,
    deadline: float,
    monotonic: Monotonic = time.monotonic,
) -> None:
    """App channel: after oobContinue, wait for the phone; after a decision, for the RRes
    (until ``deadline``, a ``monotonic`` time)."""
    key = topics.challenge(str(step.acs_trans_id))
    while (remaining := deadline - monotonic()) > 0:
        async with sessions() as session:
            row: ChallengeRow | None = await challenges.get(session, str(step.acs_trans_id))
            box = await outbox.get_for(session, str(step.acs_trans_id))
        if row is None:
            return
        is_decided = row.state == challenges.DECIDED
        if is_decided and _delivered(box):
            return
        if not is_decided and not step.wait_for_phone:
            return
        await hub.wait(key, remaining)
