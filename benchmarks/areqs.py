"""The AReq mix the load generators send: one JSON template with placeholders, four kinds.

The template is the project's 2.2.0 browser payment vector (``tests/vectors/areq``) when it
exists, else a built-in copy of the same shape. Python (``loadgen``) and Lua (``areq_mix.lua``)
fill the same placeholders, so both generators send the same requests.

Kinds, by amount in EUR cents (thresholds of the default ``[risk]`` config):
frictionless 100–3000 (low value), tra 3001–25000 (issuer TRA band), challenge 50001–150000,
invalid (a malformed ``purchaseDate`` → Erro 203).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["KINDS", "Mix", "load_template", "render", "write_template"]

VECTOR = (
    Path(__file__).resolve().parents[1] / "tests" / "vectors" / "areq" / "2.2.0-browser-pa.json"
)
PLACEHOLDERS = {
    "threeDSServerTransID": "@TSID@",
    "dsTransID": "@DSID@",
    "acctNumber": "@PAN@",
    "purchaseAmount": "@AMOUNT@",
    "purchaseDate": "@DATE@",
}
KINDS = ("frictionless", "tra", "challenge", "invalid")
AMOUNTS = {
    "frictionless": (100, 3000),
    "tra": (3001, 25000),
    "challenge": (50001, 150000),
    "invalid": (100, 3000),
}
FALLBACK = {
    "messageType": "AReq",
    "messageVersion": "2.2.0",
    "messageCategory": "01",
    "deviceChannel": "02",
    "threeDSServerRefNumber": "3DS_LOA_SER_TEST_020200_00001",
    "threeDSServerURL": "https://3ds-server.example.test/rreq",
    "dsReferenceNumber": "DS_TEST_REF_0001",
    "dsURL": "https://ds.example.test/areq",
    "threeDSRequestorID": "REQ-000123",
    "threeDSRequestorName": "Bench Shop",
    "threeDSRequestorURL": "https://shop.example.test",
    "threeDSRequestorAuthenticationInd": "01",
    "threeDSRequestorChallengeInd": "01",
    "threeDSCompInd": "Y",
    "notificationURL": "https://shop.example.test/3ds/notify",
    "acquirerBIN": "412345",
    "acquirerMerchantID": "MERCH0001",
    "mcc": "5732",
    "merchantCountryCode": "250",
    "merchantName": "BENCH SHOP",
    "cardExpiryDate": "2912",
    "purchaseCurrency": "978",
    "purchaseExponent": "2",
    "transType": "01",
    "browserAcceptHeader": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "browserIP": "192.0.2.10",
    "browserJavaEnabled": False,
    "browserJavascriptEnabled": True,
    "browserLanguage": "fr-FR",
    "browserColorDepth": "24",
    "browserScreenHeight": "1080",
    "browserScreenWidth": "1920",
    "browserTZ": "-60",
    "browserUserAgent": "Mozilla/5.0 (X11; Linux x86_64) ExampleBrowser/1.0",
}


@dataclass(frozen=True)
class Mix:
    """Relative weights of the four kinds, e.g. ``Mix.parse("60,20,15,5")``."""

    weights: tuple[int, int, int, int]

    @classmethod
    def parse(cls, text: str) -> Mix:
        parts = tuple(int(p) for p in text.split(","))
        if len(parts) != len(KINDS) or min(parts) < 0 or sum(parts) == 0:
            raise ValueError(f"mix {text!r}: expected 4 non-negative weights, e.g. 60,20,15,5")
        return cls(parts)  # type: ignore[arg-type]

    def text(self) -> str:
        return ",".join(str(w) for w in self.weights)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(KINDS, weights=self.weights)[0]


def _base_message() -> dict:
    if VECTOR.is_file():
        return json.loads(VECTOR.read_text())
    return dict(FALLBACK)


def load_template(ds_url: str | None = None) -> str:
    """The AReq JSON with ``@TSID@ @DSID@ @PAN@ @AMOUNT@ @DATE@`` in place of those values;
    ``ds_url`` (a live fake DS) is where the ACS will send the RReqs of challenged AReqs."""
    message = _base_message()
    message.update(PLACEHOLDERS)
    if ds_url:
        message["dsURL"] = ds_url
    return json.dumps(message, separators=(",", ":"))


def write_template(path: Path, ds_url: str | None = None) -> Path:
    path.write_text(load_template(ds_url))
    return path


def render(template: str, kind: str, pan: str, rng: random.Random) -> bytes:
    """One AReq body of ``kind`` with fresh transaction ids and the current purchase date."""
    low, high = AMOUNTS[kind]
    date = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    if kind == "invalid":
        date = date[:8]  # 8 digits where 14 are required: a 203 format error
    body = (
        template.replace("@TSID@", str(uuid.uuid4()))
        .replace("@DSID@", str(uuid.uuid4()))
        .replace("@PAN@", pan)
        .replace("@AMOUNT@", str(rng.randint(low, high)))
        .replace("@DATE@", date)
    )
    return body.encode()
