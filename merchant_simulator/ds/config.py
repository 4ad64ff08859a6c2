"""What the DS simulator is told at start: the card ranges it routes and how it talks TLS."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

__all__ = ["ALL_VERSIONS", "AcsRange", "DsConfig"]

ALL_VERSIONS = ("2.1.0", "2.2.0", "2.3.1")


@dataclass(frozen=True)
class AcsRange:
    """One card range served by one ACS (what an ACS registers with a scheme's DS)."""

    start: int
    end: int
    acs_areq_url: str
    method_url: str | None = None
    versions: tuple[str, ...] = ALL_VERSIONS

    def contains(self, pan: str) -> bool:
        """Whether ``pan`` (digits) lies in the range, compared on the range's length."""
        width = len(str(self.start))
        if not pan.isdigit() or len(pan) < 13:
            return False
        head = int(pan[:width].ljust(width, "0"))
        return self.start <= head <= self.end


@dataclass(frozen=True)
class DsConfig:
    """The DS simulator's settings.

    ``public_url`` is the base URL the ACS reaches this DS at (for ``dsURL``); when empty it is
    taken from the incoming AReq's own URL. ``client_ssl`` is the context presented when calling
    an ACS (mutual TLS: the DS client certificate); ``None`` calls over plain HTTP.
    """

    ranges: tuple[AcsRange, ...]
    public_url: str = ""
    reference_number: str = "DS_SIM_REF_0001"
    client_ssl: ssl.SSLContext | None = None
    timeout_s: float = 10.0

    def range_for(self, pan: str) -> AcsRange | None:
        return next((r for r in self.ranges if r.contains(pan)), None)
