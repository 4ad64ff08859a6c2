"""Reading the checkout form: the card, and the browser data its JavaScript collected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CheckoutError", "PaymentForm", "browser_data", "read_payment_form"]

_EXPIRY = re.compile(r"^\s*(0[1-9]|1[0-2])\s*/\s*([0-9]{2})\s*$")


class CheckoutError(ValueError):
    """A checkout form the shop refuses; the message is shown to the shopper (in French)."""


@dataclass(frozen=True)
class PaymentForm:
    card_number: str
    expiry_yymm: str
    holder_name: str


def read_payment_form(form: Mapping[str, str]) -> PaymentForm:
    number = re.sub(r"[\s-]", "", form.get("card_number", ""))
    if not number.isdigit() or not 13 <= len(number) <= 19:
        raise CheckoutError("Numéro de carte invalide.")
    expiry = _EXPIRY.match(form.get("expiry", ""))
    if expiry is None:
        raise CheckoutError("Date d'expiration invalide (format MM/AA).")
    holder = " ".join(form.get("holder", "").split())
    if not 2 <= len(holder) <= 45:
        raise CheckoutError("Nom du titulaire invalide.")
    return PaymentForm(number, expiry.group(2) + expiry.group(1), holder)


def browser_data(form: Mapping[str, str], headers: Mapping[str, str], ip: str | None) -> dict:
    """The 3DS Server API ``browser`` object: JavaScript values plus this request's headers."""
    languages = [tag for tag in form.get("languages", "").split(",") if tag.strip()]
    data: dict[str, Any] = {
        "acceptHeader": headers.get("Accept", ""),
        "userAgent": headers.get("User-Agent", ""),
        "ip": ip,
        "language": form.get("language", ""),
        "languages": languages,
        "colorDepth": form.get("color_depth", ""),
        "screenHeight": form.get("screen_height", ""),
        "screenWidth": form.get("screen_width", ""),
        "tz": form.get("tz", ""),
        "javaEnabled": form.get("java_enabled") == "true",
        "javascriptEnabled": form.get("js_enabled") == "true",
    }
    return data
