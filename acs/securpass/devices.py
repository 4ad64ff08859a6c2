"""What the core needs to know of an enrolled phone: its keys, counter and status (§5.1, SP-40)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from acs.crypto.device import PublicKey

__all__ = ["DeviceKeys", "DeviceStatus"]


class DeviceStatus(StrEnum):
    """``active`` may act; ``blocked`` after five wrong codes (SP-45); ``revoked`` for good
    (transfer to a new phone SP-40/41, closure SP-43)."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    REVOKED = "revoked"


@dataclass(frozen=True)
class DeviceKeys:
    """A device's public keys as stored at activation.

    ``possession_key`` (K_dev) signs calls, code approvals and refusals; ``biometric_key`` (K_bio)
    exists only when the customer enabled biometrics for payments (SP-23) and signs biometric
    approvals. ``last_counter`` is the highest answer counter accepted so far.
    """

    device_id: str
    possession_key: PublicKey
    biometric_key: PublicKey | None = None
    last_counter: int = 0
    status: DeviceStatus = DeviceStatus.ACTIVE
