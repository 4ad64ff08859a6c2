"""What the Banxo phone page server is told at start: the ACS, the bank's identity provider,
where keys live, which phones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_PHONES", "PhoneProfile", "PhoneWebConfig"]


@dataclass(frozen=True)
class PhoneProfile:
    """One simulated handset: its page is ``/phone/{slot}``.

    ``mobile`` only prefills the activation form (the SIM's number, where the dev phone reads
    its SMS); the customer may type another. Who the customer is comes from the login.
    """

    slot: int
    label: str
    model: str
    mobile: str = "+33612345678"


DEFAULT_PHONES = (
    PhoneProfile(1, "Téléphone de Camille", "Banxo Sim Phone 1"),
    PhoneProfile(2, "Nouveau téléphone", "Banxo Sim Phone 2"),
)


@dataclass(frozen=True)
class PhoneWebConfig:
    """``acs_url``: the ACS base URL (device API, ``/dev/sms``). ``data_dir``: one key file and
    one profile file per phone. ``idp_url``: the bank's identity provider (``/login``,
    ``/token``). ``clock``: seconds since the epoch for signed calls (tests pass the ACS's frozen
    clock; default ``time.time``)."""

    acs_url: str
    data_dir: Path
    idp_url: str
    phones: tuple[PhoneProfile, ...] = DEFAULT_PHONES
    clock: Callable[[], float] | None = None
    listen_timeout_s: float = 25.0
