"""Amounts for the cardholder's eyes (dynamic linking shows amount and payee, §7.1)."""

from __future__ import annotations

FR_GROUP = "\u202f"  # French thousands separator: narrow no-break space
# ISO 4217 numeric → (alpha code, symbol) for the currencies a French issuer sees most.
CURRENCIES: dict[str, tuple[str, str]] = {
    "978": ("EUR", "€"),
    "840": ("USD", "$"),
    "826": ("GBP", "£"),
    "756": ("CHF", "CHF"),
    "392": ("JPY", "¥"),
    "124": ("CAD", "CA$"),
    "036": ("AUD", "A$"),
    "752": ("SEK", "SEK"),
    "208": ("DKK", "DKK"),
    "578": ("NOK", "NOK"),
    "985": ("PLN", "PLN"),
    "949": ("TRY", "TRY"),
    "504": ("MAD", "MAD"),
    "156": ("CNY", "CN¥"),
}


def currency_alpha(numeric: str) -> str:
    """The ISO 4217 alpha code, or the numeric code itself when not in the table."""
    return CURRENCIES.get(numeric, (numeric, numeric))[0]


def format_amount(
    amount_minor: str | int, exponent: int, currency_numeric: str, locale: str = "fr"
) -> str:
    """Render minor units, e.g. ``4199, 2, "978"`` → ``"41,99 €"`` (fr) / ``"€41.99"`` (en).

    Currencies outside the table fall back to ``"<code> 12.34"`` (code first, point decimal).
    """
    minor = int(amount_minor)
    exponent = max(int(exponent), 0)
    whole, fraction = divmod(abs(minor), 10**exponent)
    sign = "-" if minor < 0 else ""
    alpha, symbol = CURRENCIES.get(currency_numeric, (currency_numeric, ""))
    if not symbol:
        return f"{alpha} {sign}{_number(whole, fraction, exponent, '.', ',')}"
    if locale.startswith("fr"):
        return f"{sign}{_number(whole, fraction, exponent, ',', FR_GROUP)} {symbol}"
    return f"{sign}{symbol}{_number(whole, fraction, exponent, '.', ',')}"


def _number(whole: int, fraction: int, exponent: int, point: str, group: str) -> str:
    text = f"{whole:,}".replace(",", group)
    return f"{text}{point}{fraction:0{exponent}d}" if exponent else text
