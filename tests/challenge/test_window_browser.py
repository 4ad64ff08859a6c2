"""The challenge window in real Chromium (issue #13), inside a merchant's cross-origin iframe:
the language (by browserLanguage, by Accept-Language), the window sizes 01 and 02 without
scrolling to the primary action and Cancel (Sécur'Pass and SMS pages), the SMS way out, the
early-press message, the code field focused, and axe-core with no serious or critical
violation on each challenge page."""

# ruff: noqa: F811  (the shared `browser` fixture is imported and used as a parameter)
from __future__ import annotations

import dataclasses
import html
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from acs.web import create_app
from acs.web.keys import SMS
from tests.challenge.helpers import (
    CAMILLE_MOBILE,
    SECURPASS_CARD,
    SMS_CARD,
    creq_for,
    encode,
    otp_in,
    start,
)
from tests.simulator.conftest import ARTIFACTS, browser  # noqa: F401  (shared fixture)

TIMEOUT_MS = 15_000
SIZES = {"01": (250, 400), "02": (390, 400), "03": (500, 600), "04": (600, 400), "05": (900, 700)}


def _bound_socket() -> tuple[socket.socket, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


async def _serve(app: web.Application, sock: socket.socket) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


@dataclasses.dataclass
class Window:
    acs_url: str
    acs: web.Application
    merchant_url: str
    http: aiohttp.ClientSession


def _merchant_app(acs_url: str) -> web.Application:
    """A merchant's page on another origin: an iframe of the asked size, the CReq posted into
    it; the notificationURL page shows the final CRes arrived."""

    async def frame(request: web.Request) -> web.Response:
        width, height = request.query["w"], request.query["h"]
        creq = html.escape(request.query["creq"])
        body = f"""<!doctype html><html lang="fr"><head><title>Boutique</title></head><body>
<main><h1>Paiement</h1>
<iframe name="challenge" id="challenge" title="Authentification" width="{width}"
 height="{height}" style="border:0"></iframe>
<form id="f" method="post" action="{acs_url}/3ds/challenge" target="challenge">
<input type="hidden" name="creq" value="{creq}"></form>
<script>document.getElementById("f").submit();</script></main></body></html>"""
        return web.Response(text=body, content_type="text/html")

    async def notify(request: web.Request) -> web.Response:
        form = await request.post()
        text = "cres" if form.get("cres") else "none"
        return web.Response(
            text=f'<!doctype html><html lang="fr"><title>Fin</title><p id="done">{text}</p>',
            content_type="text/html",
        )

    app = web.Application()
    app.router.add_get("/frame", frame)
    app.router.add_post("/notify", notify)
    return app


@pytest.fixture
async def window(settings, keyring, clock, demo_data) -> AsyncIterator[Window]:
    """The real ACS on a real port (public_base_url = that URL) and a merchant's page."""
    acs_sock, acs_url = _bound_socket()
    shop_sock, shop_url = _bound_socket()
    served = dataclasses.replace(settings, public_base_url=acs_url)
    app = create_app(served, keys=keyring, clock=clock)
    runners = [await _serve(app, acs_sock), await _serve(_merchant_app(acs_url), shop_sock)]
    async with aiohttp.ClientSession(base_url=acs_url) as http:
        yield Window(acs_url, app, shop_url, http)
    for runner in runners:
        await runner.cleanup()


async def open_challenge(
    browser, window: Window, fake_ds, *, pan: str, size: str = "01",
    locale: str = "fr-FR", axe: bool = False, **areq: Any,
) -> tuple[Any, Any, dict[str, Any]]:  # fmt: skip
    """(page, frame, ares): the challenge of ``pan`` framed at window ``size``."""
    notify = f"{window.merchant_url}/notify"
    areq_msg, ares = await start(window.http, fake_ds.url, pan=pan, notificationURL=notify, **areq)
    assert ares["transStatus"] == "C"
    creq = encode(creq_for(areq_msg, ares, challengeWindowSize=size))
    width, height = SIZES[size]
    context = await browser.new_context(
        locale=locale, viewport={"width": 1000, "height": 800}, bypass_csp=axe
    )
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{window.merchant_url}/frame?w={width}&h={height}&creq={creq}")
    frame = page.frame_locator("#challenge")
    await frame.locator("#heading").wait_for()
    return page, frame, ares


async def fits(frame_locator, page, *selectors: str) -> dict[str, Any]:
    """Where the given elements end, and the frame's inner size and scroll size."""
    frame = next(f for f in page.frames if f.name == "challenge")
    return await frame.evaluate(
        """(selectors) => ({
            bottoms: selectors.map(s => document.querySelector(s).getBoundingClientRect().bottom),
            rights: selectors.map(s => document.querySelector(s).getBoundingClientRect().right),
            height: window.innerHeight, width: window.innerWidth,
            scrollWidth: document.documentElement.scrollWidth,
        })""",
        list(selectors),
    )


OOB_ACTIONS = ("#continue button", "form[action$='/cancel'] button")
OTP_ACTIONS = ("#code", "#otp button", "form[action$='/cancel'] button")


@pytest.mark.parametrize("size", ["01", "02"])
async def test_oob_page_fits_small_windows(browser, window, fake_ds, camille, size):
    """250×400 and 390×400: "J'ai validé dans l'appli" and Cancel are visible without
    scrolling, nothing overflows sideways, the merchant name is not broken mid-word."""
    page, frame, _ = await open_challenge(browser, window, fake_ds, pan=SECURPASS_CARD, size=size)
    await page.locator("#challenge").screenshot(path=str(ARTIFACTS / f"challenge-oob-{size}.png"))
    box = await fits(frame, page, *OOB_ACTIONS, "dd")
    width, height = SIZES[size]
    assert (box["width"], box["height"]) == (width, height)
    assert all(bottom <= height for bottom in box["bottoms"]), box
    assert box["scrollWidth"] <= width, box
    merchant = frame.locator("dd").first
    assert await merchant.inner_text() == "showroomprive.com"
    line = await merchant.evaluate("e => e.getClientRects().length")
    lines = await merchant.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getClientRects().length; }"
    )
    assert line == 1 and lines == 1  # one line: not broken mid-word
    await page.context.close()


@pytest.mark.parametrize("size", ["01", "02"])
async def test_sms_page_fits_small_windows_and_focuses_the_code(
    browser,
    window,
    fake_ds,
    size,
):
    """The SMS page at 250×400 and 390×400: the code field, "Valider" and Cancel visible
    without scrolling; the code field has the focus inside the cross-origin iframe."""
    page, frame, _ = await open_challenge(browser, window, fake_ds, pan=SMS_CARD, size=size)
    await page.locator("#challenge").screenshot(path=str(ARTIFACTS / f"challenge-sms-{size}.png"))
    box = await fits(frame, page, *OTP_ACTIONS)
    assert all(bottom <= SIZES[size][1] for bottom in box["bottoms"]), box
    assert box["scrollWidth"] <= SIZES[size][0], box
    chrome_frame = next(f for f in page.frames if f.name == "challenge")
    assert await chrome_frame.evaluate("document.activeElement && document.activeElement.id") == (
        "code"
    )
    await page.context.close()


async def test_language_by_browser_language(browser, window, fake_ds):
    """An AReq saying en-US gives an English window in a French browser, and fr-FR a French
    one in an English browser."""
    page, frame, _ = await open_challenge(
        browser, window, fake_ds, pan=SMS_CARD, browserLanguage="en-US", locale="fr-FR"
    )
    assert await frame.locator("#heading").inner_text() == "Code received by text"
    assert "€41.99" in await frame.locator("main").inner_text()
    await page.context.close()
    page, frame, _ = await open_challenge(
        browser, window, fake_ds, pan=SMS_CARD, browserLanguage="fr-FR", locale="en-US"
    )
    assert await frame.locator("#heading").inner_text() == "Code reçu par SMS"
    assert "41,99 €" in await frame.locator("main").inner_text()
    await page.context.close()


async def test_language_by_accept_language(browser, window, fake_ds):
    """An AReq language we do not have (de-DE): the browser's Accept-Language decides."""
    page, frame, _ = await open_challenge(
        browser, window, fake_ds, pan=SMS_CARD, browserLanguage="de-DE", locale="en-US"
    )
    assert await frame.locator("#heading").inner_text() == "Code received by text"
    assert await frame.locator("html").get_attribute("lang") == "en"
    await page.context.close()


async def test_early_press_then_the_sms_way_out(browser, window, fake_ds, camille):
    """Pressing "J'ai validé dans l'appli" before approving says so; "Vous n'avez pas votre
    téléphone ?" then sends an SMS code, which completes the payment (CRes to the merchant)."""
    page, frame, ares = await open_challenge(
        browser, window, fake_ds, pan=SECURPASS_CARD, size="02"
    )
    await frame.get_by_role("button", name="J'ai validé dans l'appli").click()
    notice = frame.locator("#notice")
    await notice.get_by_text("Nous n'avons pas encore reçu votre validation").wait_for()
    assert await notice.get_attribute("role") == "status"
    await frame.get_by_role("button", name="Recevoir un code par SMS").click()
    await frame.get_by_text("Un code vous a été envoyé par SMS.").wait_for()
    sms = (await window.acs[SMS].wait_for(CAMILLE_MOBILE, 1))[-1]
    await frame.locator("#code").fill(otp_in(sms.text))
    await frame.get_by_role("button", name="Valider").click()
    await frame.locator("#done").wait_for()
    assert await frame.locator("#done").inner_text() == "cres"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert rreq["transStatus"] == "Y" and rreq["authenticationType"] == "02"
    await page.context.close()


async def _serious(page) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    frame = next(f for f in page.frames if f.name == "challenge")
    results = await Axe().run(frame)
    assert "/3ds/challenge" in results.response["url"]  # axe ran in the ACS's page
    violations = results.response["violations"]
    return [
        f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("size", ["01", "05"])
async def test_axe_finds_no_serious_violation(browser, window, fake_ds, camille, size):
    """axe-core: no serious or critical violation on the Sécur'Pass page, the SMS page (with a
    wrong-code alert) and the page after the switch."""
    page, frame, _ = await open_challenge(
        browser, window, fake_ds, pan=SECURPASS_CARD, size=size, axe=True
    )
    assert await _serious(page) == []
    await frame.get_by_role("button", name="J'ai validé dans l'appli").click()
    await frame.locator("#notice p").wait_for()
    assert await _serious(page) == []
    await frame.get_by_role("button", name="Recevoir un code par SMS").click()
    await frame.locator("#code").fill("000000")
    await frame.get_by_role("button", name="Valider").click()
    await frame.get_by_text("Code incorrect").wait_for()
    assert await _serious(page) == []
    await page.context.close()
