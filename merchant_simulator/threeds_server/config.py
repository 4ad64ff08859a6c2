"""What the 3DS Server simulator is told at start: its DS, its merchant, its preferences."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WINDOW_SIZES", "Merchant", "ThreeDSServerConfig"]

# challengeWindowSize → (width, height) in CSS pixels; 05 is the full page [emv3ds.md §2.8].
WINDOW_SIZES = {
    "01": ("250px", "400px"),
    "02": ("390px", "400px"),
    "03": ("500px", "600px"),
    "04": ("600px", "400px"),
    "05": ("100%", "100vh"),
}


@dataclass(frozen=True)
class Merchant:
    """The 3DS Requestor and its acquirer, as they appear in the AReq."""

    name: str = "showroomprive.com"
    mcc: str = "5651"
    country_code: str = "250"
    acquirer_bin: str = "497010"
    acquirer_merchant_id: str = "SRP-DEMO-0001"
    acquirer_country_code: str = "250"
    requestor_id: str = "SIM-REQ-0001"
    requestor_name: str = "Vente Privée Démo"
    requestor_url: str = "https://vente-privee-demo.example"


@dataclass(frozen=True)
class ThreeDSServerConfig:
    """The 3DS Server simulator's settings.

    ``ds_url`` is the DS base URL (``/areq``, ``/ranges`` below it). ``public_url`` is this
    server's own base URL as browsers and the DS reach it; when empty it is taken from each
    request. ``force_version`` skips the version negotiation. 2.3.1 requires an HTTPS
    notificationURL, so a 3DS Server reached over plain HTTP offers 2.1.0 and 2.2.0 only.
    """

    ds_url: str
    public_url: str = ""
    merchant: Merchant = Merchant()
    reference_number: str = "3DS_SIM_SERVER_REF_0001"
    force_version: str | None = None
    challenge_window_size: str = "03"
    challenge_ind: str = "01"
    method_timeout_s: float = 10.0
    timeout_s: float = 15.0

    def __post_init__(self) -> None:
        if self.challenge_window_size not in WINDOW_SIZES:
            raise ValueError(f"challenge_window_size {self.challenge_window_size!r}: 01 to 05")
