"""Amounts for the cardholder's eyes (dynamic linking shows amount and payee, §7.1).

Formatted by Babel for the page's locale and the currency: ``41,99 €``, ``1,01 $US``,
``1 000 JPY`` in French; ``€41.99``, ``US$1.01`` in English. The AReq gives the ISO 4217
*numeric* code: the table below maps it to the alpha code Babel formats; a numeric code never
reaches the cardholder (an unknown currency shows the number alone).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, get_currency_precision

# ISO 4217 numeric → alpha, for the currencies a French issuer's cardholders meet.
CURRENCIES: dict[str, str] = {
    "978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "392": "JPY", "124": "CAD",
    "036": "AUD", "752": "SEK", "208": "DKK", "578": "NOK", "985": "PLN", "949": "TRY",
    "504": "MAD", "156": "CNY", "203": "CZK", "348": "HUF", "946": "RON", "975": "BGN",
    "344": "HKD", "702": "SGD", "554": "NZD", "484": "MXN", "986": "BRL", "356": "INR",
    "410": "KRW", "784": "AED", "682": "SAR", "376": "ILS", "710": "ZAR", "788": "TND",
    "012": "DZD", "952": "XOF", "950": "XAF", "953": "XPF", "764": "THB", "901": "TWD",
    "048": "BHD", "414": "KWD", "512": "OMR", "400": "JOD", "818": "EGP", "032": "ARS",
    "152": "CLP", "170": "COP", "604": "PEN", "608": "PHP", "360": "IDR", "458": "MYR",
    "704": "VND", "352": "ISK", "980": "UAH", "941": "RSD", "933": "BYN", "398": "KZT",
}  # fmt: skip
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def currency_alpha(numeric: str) -> str:
    """The ISO 4217 alpha code, or the numeric code itself when not in the table."""
    return CURRENCIES.get(numeric, numeric)


def _babel_locale(locale: str) -> str:
    return BABEL_LOCALES.get(locale.replace("-", "_").split("_")[0].lower(), "fr_FR")


def format_amount(
    amount_minor: str | int, exponent: int, currency_numeric: str, locale: str = "fr"
) -> str:
    """Render minor units, e.g. ``4199, 2, "978"`` → ``"41,99 €"`` (fr) / ``"€41.99"`` (en).

    Babel's no-break space before the symbol becomes a plain space (the SMS, the phone's
    summary and the pages say ``41,99 €``; the pages keep an amount on one line with CSS); the
    thousands separator stays Babel's narrow no-break space (``1 234,56 €``).
    """
    return _babel_amount(amount_minor, exponent, currency_numeric, locale).replace("\xa0", " ")


def _babel_amount(
    amount_minor: str | int, exponent: int, currency_numeric: str, locale: str
) -> str:
    exponent = max(int(exponent), 0)
    value = Decimal(int(amount_minor)).scaleb(-exponent)
    where = _babel_locale(locale)
    alpha = CURRENCIES.get(currency_numeric)
    if alpha is None:  # never show a numeric currency code: the number alone
        return format_decimal(value, format=f"#,##0{'.' + '0' * exponent if exponent else ''}",
                              locale=where)  # fmt: skip
    if exponent == get_currency_precision(alpha):
        return format_currency(value, alpha, locale=where)
    return format_currency(value, alpha, locale=where, currency_digits=False,
                           decimal_quantization=False)  # fmt: skip
