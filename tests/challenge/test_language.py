"""The challenge window's language and formats (issue #13): the AReq's language first, then the
page request's Accept-Language, then French; one Babel catalogue; Babel amounts and dates."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from acs.flows.challenge.catalogue import TEXTS, areq_language, format_when, negotiate
from acs.protocol import format_amount
from tests.challenge.helpers import SMS_CARD, creq_for, encode, start


@pytest.mark.parametrize(
    ("areq", "accept", "expected"),
    [
        ("fr-FR", "en-GB,en;q=0.9", "fr"),  # the AReq says French: an English browser too
        ("en-US", "fr-FR,fr;q=0.9", "en"),
        ("de-DE", "de,en;q=0.8,fr;q=0.5", "en"),  # not ours: Accept-Language by quality
        (None, "fr;q=0.4,en;q=0.9", "en"),
        (None, "en;q=0", "fr"),  # q=0 means "not this one"
        (None, "de-CH, it", "fr"),  # neither names a language we have: French
        (None, None, "fr"),
        ("EN_gb", None, "en"),
    ],
)
def test_negotiate(areq, accept, expected) -> None:
    """browserLanguage, then Accept-Language (ranked by q), then French."""
    assert negotiate(areq, accept) == expected


def _device_info(locale: str) -> str:
    data = {"DV": "1.4", "DD": {"C001": "Android", "C005": locale}}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_areq_language_of_browser_and_app() -> None:
    """Browser: browserLanguage; app: the SDK's locale (deviceInfo C005); unknown or bad: None."""
    assert areq_language({"deviceChannel": "02", "browserLanguage": "en-GB"}) == "en"
    assert areq_language({"deviceChannel": "02", "browserLanguage": "ja"}) is None
    assert areq_language({"deviceChannel": "01", "deviceInfo": _device_info("en_US")}) == "en"
    assert areq_language({"deviceChannel": "01", "deviceInfo": _device_info("fr_FR")}) == "fr"
    assert areq_language({"deviceChannel": "01", "deviceInfo": "not base64!"}) is None
    assert areq_language({"deviceChannel": "01"}) is None


def test_catalogue_languages_in_step() -> None:
    """French and English have the same keys, every text non-empty and different somewhere."""
    assert set(TEXTS["fr"]) == set(TEXTS["en"])
    assert all(TEXTS["fr"].values()) and all(TEXTS["en"].values())
    assert TEXTS["fr"]["oob_continue"] == "J'ai validé dans l'appli"
    assert TEXTS["en"]["oob_continue"] == "I approved in the app"


@pytest.mark.parametrize(
    ("minor", "exponent", "currency", "locale", "expected"),
    [
        (4199, 2, "978", "fr", "41,99 €"),
        (4199, 2, "978", "en", "€41.99"),
        (101, 2, "840", "fr", "1,01 $US"),
        (101, 2, "840", "en", "US$1.01"),
        (1500, 0, "392", "fr", "1\u202f500 JPY"),
        (1500, 0, "392", "en", "JP¥1,500"),
        (123456, 2, "978", "fr", "1\u202f234,56 €"),
    ],
)
def test_babel_amounts(minor, exponent, currency, locale, expected) -> None:
    """Amounts are Babel's for the locale and currency, never a numeric currency code."""
    assert format_amount(minor, exponent, currency, locale=locale) == expected
    assert currency not in format_amount(minor, exponent, currency, locale=locale)


def test_dates_in_the_banks_time_zone() -> None:
    """The purchase time is shown in Europe/Paris (UTC+1 in December), per locale."""
    moment = datetime(2026, 12, 3, 11, 47, tzinfo=UTC)
    assert format_when(moment, "fr") == "3 déc. 2026, 12:47"
    assert format_when(moment, "en") == "3 Dec 2026, 12:47"
    assert format_when(moment.replace(tzinfo=None), "fr") == "3 déc. 2026, 12:47"  # naive: UTC


async def _page(client, fake_ds, *, browser_language: str, accept: str) -> str:
    areq_msg, ares = await start(
        client, fake_ds.url, pan=SMS_CARD, browserLanguage=browser_language
    )
    form = {"creq": encode(creq_for(areq_msg, ares))}
    response = await client.post("/3ds/challenge", data=form, headers={"Accept-Language": accept})
    assert response.status == 200
    return await response.text()


async def test_areq_language_beats_accept_language(client, fake_ds) -> None:
    """An AReq saying fr-FR gives a French window even to an English browser, and the reverse."""
    page = await _page(client, fake_ds, browser_language="fr-FR", accept="en-US,en;q=0.9")
    assert 'lang="fr"' in page and "Code reçu par SMS" in page and "41,99 €" in page
    page = await _page(client, fake_ds, browser_language="en-US", accept="fr-FR,fr;q=0.9")
    assert 'lang="en"' in page and "Code received by text" in page and "€41.99" in page
