"""What the Banxo phone page server is told at start: the ACS, where keys live, which phones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from merchant_simulator.phone import TokenSource

__all__ = ["DEFAULT_PHONES", "PhoneProfile", "PhoneWebConfig"]


@dataclass(frozen=True)
class PhoneProfile:
    """One simulated handset: its page is ``/phone/{slot}``.

    ``customer_id`` and ``mobile`` only prefill the activation form (the bank app's login and
    the SIM's number); the customer may type others.
    """

    slot: int
    label: str
    model: str
    customer_id: str = "C0001"
    mobile: str = "+33612345678"


DEFAULT_PHONES = (
    PhoneProfile(1, "Téléphone de Camille", "Banxo Sim Phone 1"),
    PhoneProfile(2, "Nouveau téléphone", "Banxo Sim Phone 2"),
)


@dataclass(frozen=True)
class PhoneWebConfig:
    """``acs_url``: the ACS base URL (device API, ``/dev/sms``). ``data_dir``: one key file and
    one profile file per phone. ``clock``: seconds since the epoch for signed calls (tests pass
    the ACS's frozen clock; default ``time.time``). ``tokens``: the bank app's login, a source
    of customer tokens for a customer id (stand-in until the simulator's identity provider
    and the page's login replace it)."""

    acs_url: str
    data_dir: Path
    phones: tuple[PhoneProfile, ...] = DEFAULT_PHONES
    clock: Callable[[], float] | None = None
    listen_timeout_s: float = 25.0
    tokens: Callable[[str], TokenSource] | None = None
