"""What a challenge step does once its unit of work has committed (:class:`AfterCommit`): the
SMS, the phone's wake-up for a new Sécur'Pass operation, then the hub keys. Never before the
commit: a waiter woken early would re-read the old state.
"""

from __future__ import annotations

from acs import metrics
from acs.flows.challenge.browser import AfterCommit
from acs.flows.securpass import operations
from acs.notify.hub import Hub
from acs.notify.push import PushGateway
from acs.notify.sms import SmsGateway
from acs.storage.engine import Sessions

__all__ = ["after_commit"]


async def after_commit(
    after: AfterCommit, *, sms: SmsGateway, sessions: Sessions, hub: Hub, push: PushGateway
) -> None:
    if after.sms is not None:
        await sms.send(after.sms)
        if after.sms.purpose == "otp":
            metrics.OTPS_SENT.inc()
    if after.announce is not None:
        await operations.announce(after.announce, sessions=sessions, hub=hub, push=push)
    await hub.publish(*after.publish)
