"""A staff member revokes a customer's phone (lost, stolen, given away): Sécur'Pass stops on
it at once, its pending operations are cancelled, and the enrolment it carried is closed —
challenges fall back to SMS OTP (SP-22, SP-43) until the customer activates again (SP-40)."""

from __future__ import annotations

from datetime import datetime

from acs.auth.staff import Staff
from acs.flows.securpass.errors import UnknownResource
from acs.flows.securpass.operations import OperationHooks, revoke_devices
from acs.flows.securpass.rows import enrolment_of, store_enrolment
from acs.notify.hub import Hub
from acs.securpass import enrolment as core
from acs.securpass.enrolment import EnrolmentState
from acs.storage import securpass as store
from acs.storage.audit import append_audit
from acs.storage.engine import Sessions

__all__ = ["revoke_device"]

REASON = "staff_revoked"
_CLOSABLE = (EnrolmentState.SUBSCRIBED, EnrolmentState.LOCKED)


async def revoke_device(
    sessions: Sessions,
    hub: Hub,
    *,
    customer_id: str,
    device_id: str,
    staff: Staff,
    hooks: OperationHooks,
    now: datetime,
) -> bool:
    """Revoke ``device_id`` of ``customer_id``; False if it was revoked already."""
    async with sessions.begin() as session:
        device = await store.lock_device(session, device_id)
        if device is None or device.customer_id != customer_id:
            raise UnknownResource("unknown_device", "ce téléphone n'est pas celui de ce client")
        revoked, publish = await revoke_devices(
            session, [device_id], reason=REASON, now=now, hooks=hooks
        )
        if revoked:
            enrolment = await store.lock_enrolment(session, device.enrolment_id)
            if enrolment is not None and enrolment.state in _CLOSABLE:
                store_enrolment(enrolment, core.close(enrolment_of(enrolment), now=now).enrolment,
                                now=now)  # fmt: skip
            await append_audit(
                session, at=now, actor=staff.actor, action="securpass.device_revoked",
                subject=f"customer:{customer_id}",
                detail={"device_id": device_id, "role": str(staff.role), "branch": staff.branch,
                        "enrolment_id": device.enrolment_id, "reason": REASON},
            )  # fmt: skip
    await hub.publish(*publish)
    return bool(revoked)
