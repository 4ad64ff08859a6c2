"""Reading the checkout form: the card, and the browser data its JavaScript collected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CheckoutError", "PaymentForm", "browser_data", "luhn_valid", "read_payment_form"]

_EXPIRY = re.compile(r"^\s*(0[1-9]|1[0-2])\s*/\s*([0-9]{2})\s*$")


_CVV = re.compile(r"^[0-9]{3,4}$")


class CheckoutError(ValueError):
    """A checkout form the shop refuses; the message is shown to the shopper (in French) and
    ``field`` names the input to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PaymentForm:
    card_number: str
    expiry_yymm: str
    holder_name: str


def read_payment_form(form: Mapping[str, str]) -> PaymentForm:
    """The card the form gives; the CVV is checked for its shape and never kept (3-D Secure
    does not carry it: it goes with the authorisation, which this demo does not make)."""
    number = re.sub(r"[\s-]", "", form.get("card_number", ""))
    if not number.isdigit() or not 13 <= len(number) <= 19:
        raise CheckoutError("card_number", "Numéro de carte incomplet : saisissez les 16 "
                            "chiffres imprimés sur votre carte.")  # fmt: skip
    if not luhn_valid(number):
        raise CheckoutError("card_number", "Numéro de carte invalide : un chiffre est "
                            "probablement erroné, vérifiez-le.")  # fmt: skip
    expiry = _EXPIRY.match(form.get("expiry", ""))
    if expiry is None:
        raise CheckoutError("expiry", "Date d'expiration invalide : saisissez-la au format "
                            "MM/AA, par exemple 12/29.")  # fmt: skip
    if not _CVV.match(form.get("cvv", "").strip()):
        raise CheckoutError("cvv", "Cryptogramme invalide : saisissez les 3 chiffres au dos "
                            "de votre carte.")  # fmt: skip
    holder = " ".join(form.get("holder", "").split())
    if not 2 <= len(holder) <= 45:
        raise CheckoutError("holder", "Nom du titulaire invalide : saisissez le nom écrit sur "
                            "la carte.")  # fmt: skip
    return PaymentForm(number, expiry.group(2) + expiry.group(1), holder)


def luhn_valid(number: str) -> bool:
    """The Luhn check digit of a card number (ISO/IEC 7812-1 annex B) is right."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


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
