"""Protocol version negotiation from the DS card range list (PRes-like)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RangeInfo", "acs_versions", "find_range", "negotiate"]


@dataclass(frozen=True)
class RangeInfo:
    """One card range from the DS list: the ACS's versions and its 3DS Method URL."""

    start: int
    end: int
    versions: tuple[str, ...]
    method_url: str | None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], ds_versions: tuple[str, str]) -> RangeInfo:
        listed = data.get("acsProtocolVersions")
        if not isinstance(listed, list):
            listed = [data.get("acsStartProtocolVersion"), data.get("acsEndProtocolVersion")]
        low, high = (
            max(_key(listed[0]), _key(ds_versions[0])),
            min(_key(listed[-1]), _key(ds_versions[1])),
        )
        versions = tuple(str(v) for v in listed if low <= _key(v) <= high)
        return cls(
            start=int(data["startRange"]),
            end=int(data["endRange"]),
            versions=versions,
            method_url=data.get("threeDSMethodURL") or None,
        )

    def contains(self, pan: str) -> bool:
        width = len(str(self.start))
        return pan.isdigit() and self.start <= int(pan[:width].ljust(width, "0")) <= self.end


def find_range(pres: Mapping[str, Any], pan: str) -> RangeInfo | None:
    """The range of ``pan`` in a DS range list, or None."""
    ds_versions = (
        str(pres.get("dsStartProtocolVersion", "2.1.0")),
        str(pres.get("dsEndProtocolVersion", "2.3.1")),
    )
    for item in pres.get("cardRangeData") or ():
        info = RangeInfo.from_wire(item, ds_versions)
        if info.contains(pan):
            return info
    return None


def acs_versions(info: RangeInfo | None, ds_url: str) -> tuple[str, ...]:
    """The range's ACS versions this server may use: 2.3.1 only when the ACS is served over
    https (its schema requires an https acsURL; an http ACS would answer a 2.3.1 AReq with an
    acsURL the 2.3.1 schema forbids). The ACS's scheme is read from its 3DS Method URL, else,
    without one, from the DS's (the demo serves the DS and the ACS alike)."""
    if info is None:
        return ()
    acs_url = info.method_url or ds_url
    if acs_url.lower().startswith("https://"):
        return info.versions
    return tuple(v for v in info.versions if _key(v) < (2, 3))


def negotiate(ours: Iterable[str], theirs: Iterable[str], *, forced: str | None = None) -> str:
    """The highest version both sides support; ``forced`` wins; with none in common, our highest.

    (A card outside every range still gets an AReq: the DS then answers it with Erro 305.)
    """
    if forced:
        return forced
    ours = sorted(ours, key=_key)
    common = [v for v in ours if v in set(theirs)]
    return common[-1] if common else ours[-1]


def _key(version: object) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)
