"""Shop → 3DS Server → DS → the real ACS (real database, demo cards), all over real HTTP.

The browser is played by an aiohttp client session that follows the same forms a browser would.
"""

from __future__ import annotations

import re
from html import unescape

import aiohttp
import pytest

from merchant_simulator.threeds_server.encoding import decode_json, encode_json

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BROWSER_FIELDS = {
    "color_depth": "24",
    "screen_height": "1080",
    "screen_width": "1920",
    "tz": "-60",
    "language": "fr-FR",
    "languages": "fr-FR,fr,en-US",
    "java_enabled": "false",
    "js_enabled": "true",
}


@pytest.fixture
async def web_browser():
    headers = {"Accept": ACCEPT, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session


async def start_checkout(session, merchant, pan: str, product: str) -> aiohttp.ClientResponse:
    """Submit the checkout form; the shop sends the browser to the 3DS Server's page."""
    form = {
        "produit": product,
        "card_number": pan,
        "expiry": "12/29",
        "cvv": "123",
        "holder": "Camille Martin",
        **BROWSER_FIELDS,
    }
    async with session.post(f"{merchant.shop_url}/paiement", data=form) as response:
        await response.read()
        assert str(response.url).startswith(f"{merchant.threeds_server_url}/authenticate/")
        return response


async def pay(session, merchant, pan: str, product: str) -> tuple[str, str]:
    """The whole checkout without the 3DS Method; (final URL, page text)."""
    authenticate = await start_checkout(session, merchant, pan, product)
    async with session.post(f"{authenticate.url}/continue") as response:
        return str(response.url), await response.text()


def verdict(page: str) -> str:
    found = re.search(r'<h1 id="verdict">([^<]*)</h1>\s*<p id="verdict-detail">([^<]*)</p>', page)
    assert found, page
    return unescape(f"{found.group(1)} — {found.group(2)}")


async def test_low_value_purchase_is_frictionless_and_accepted(merchant, web_browser) -> None:
    """20 € on 4970100000000014 is frictionless: the shop shows 'Paiement accepté'."""
    url, page = await pay(web_browser, merchant, "4970 1000 0000 0014", "tshirt-bio")
    assert url.startswith(f"{merchant.shop_url}/commande/")
    assert verdict(page).startswith("Paiement accepté")
    assert "20,00" in page


async def test_card_opposed_for_fraud_is_refused(merchant, web_browser) -> None:
    """4970100000000030 (opposed for fraud) is refused with the fraud reason in French."""
    _, page = await pay(web_browser, merchant, "4970100000000030", "tshirt-bio")
    assert verdict(page) == (
        "Paiement refusé par votre banque — Paiement bloqué par votre banque : suspicion de fraude."
    )


async def test_card_outside_the_ranges_is_refused_by_the_ds(merchant, web_browser) -> None:
    """A card no ACS serves gets the DS's Erro 305: 'carte non prise en charge'."""
    _, page = await pay(web_browser, merchant, "4000000000001000", "tshirt-bio")
    assert verdict(page).startswith("Paiement impossible — Cette carte n'est pas prise en charge")


async def test_challenge_opens_the_acs_in_an_iframe(merchant, web_browser) -> None:
    """41,99 € on 4970100000000014 is challenged: the CReq is posted into a sized iframe."""
    url, page = await pay(web_browser, merchant, "4970100000000014", "baskets-cuir")
    assert url.endswith("/continue")
    assert 'style="width:500px;height:600px' in page  # window size 03
    form = re.search(
        r'<form id="creq-form" method="post" action="([^"]+)" target="challenge">', page
    )
    assert form and form.group(1).endswith("/3ds/challenge")
    fields = dict(re.findall(r'name="(creq|threeDSSessionData)" value="([^"]*)"', page))
    creq = decode_json(fields["creq"])
    assert creq["messageType"] == "CReq"
    assert creq["challengeWindowSize"] == "03"
    assert set(creq) == {
        "threeDSServerTransID",
        "acsTransID",
        "messageType",
        "messageVersion",
        "challengeWindowSize",
    }


async def test_final_cres_n_after_a_challenge_reads_as_cancelled(merchant, web_browser) -> None:
    """The ACS page's final CRes (N, no reason) posted to notificationURL leads to 'Paiement
    non authentifié' (the RReq, with its reason, has not arrived)."""
    _, page = await pay(web_browser, merchant, "4970100000000014", "baskets-cuir")
    fields = dict(re.findall(r'name="(creq|threeDSSessionData)" value="([^"]*)"', page))
    creq = decode_json(fields["creq"])
    cres = {
        "threeDSServerTransID": creq["threeDSServerTransID"],
        "acsTransID": creq["acsTransID"],
        "messageType": "CRes",
        "messageVersion": creq["messageVersion"],
        "challengeCompletionInd": "Y",
        "transStatus": "N",
    }
    padded = encode_json(cres) + "=" * (-len(encode_json(cres)) % 4)
    notify = {"cres": padded, "threeDSSessionData": fields["threeDSSessionData"]}
    async with web_browser.post(f"{merchant.threeds_server_url}/notify", data=notify) as response:
        landing = await response.text()
    result_url = re.search(r'<a href="([^"]+)" target="_top">', landing).group(1)
    async with web_browser.get(unescape(result_url)) as response:
        assert verdict(await response.text()).startswith("Paiement non authentifié")


async def test_cres_with_other_session_data_is_refused(merchant, web_browser) -> None:
    """A final CRes whose threeDSSessionData was altered is not accepted."""
    _, page = await pay(web_browser, merchant, "4970100000000014", "baskets-cuir")
    creq = decode_json(re.search(r'name="creq" value="([^"]*)"', page).group(1))
    cres = {**creq, "messageType": "CRes", "challengeCompletionInd": "Y", "transStatus": "Y"}
    notify = {"cres": encode_json(cres), "threeDSSessionData": "b3RoZXI"}
    async with web_browser.post(f"{merchant.threeds_server_url}/notify", data=notify) as response:
        assert response.status == 400


async def test_method_notification_sets_comp_ind_y(merchant, web_browser) -> None:
    """A 3DS Method notification before the AReq makes threeDSCompInd Y."""
    authenticate = await start_checkout(web_browser, merchant, "4970100000000014", "tshirt-bio")
    trans_id = str(authenticate.url).rsplit("/", 1)[-1]
    data = encode_json({"threeDSServerTransID": trans_id})
    async with web_browser.post(
        f"{merchant.threeds_server_url}/method-notify", data={"threeDSMethodData": data}
    ) as response:
        assert "postMessage" in await response.text()
    async with web_browser.post(f"{authenticate.url}/continue") as response:
        assert verdict(await response.text()).startswith("Paiement accepté")
    api = f"{merchant.threeds_server_url}/api/transactions/{trans_id}"
    async with web_browser.get(api) as response:
        outcome = await response.json()
    assert (outcome["threeDSCompInd"], outcome["transStatus"]) == ("Y", "Y")
    assert outcome["messageVersion"] == "2.2.0"  # plain HTTP: 2.3.1 is not offered
    assert outcome["eci"] and outcome["authenticationValue"]


async def test_without_method_notification_comp_ind_is_n(merchant, web_browser) -> None:
    """A range with a method URL whose method never reported gives threeDSCompInd N."""
    authenticate = await start_checkout(web_browser, merchant, "4970100000000014", "tshirt-bio")
    trans_id = str(authenticate.url).rsplit("/", 1)[-1]
    async with web_browser.post(f"{authenticate.url}/continue") as response:
        await response.read()
    api = f"{merchant.threeds_server_url}/api/transactions/{trans_id}"
    async with web_browser.get(api) as response:
        assert (await response.json())["threeDSCompInd"] == "N"


async def test_rreq_through_the_ds_decides_the_outcome(merchant, web_browser) -> None:
    """After a challenge, the RReq relayed by the DS is answered RRes 01 and carries the proof."""
    _, page = await pay(web_browser, merchant, "4970100000000014", "baskets-cuir")
    creq = decode_json(re.search(r'name="creq" value="([^"]*)"', page).group(1))
    ares = merchant.transactions.get(creq["threeDSServerTransID"]).ares
    rreq = {
        "messageType": "RReq",
        "messageVersion": ares["messageVersion"],
        "messageCategory": "01",
        "threeDSServerTransID": ares["threeDSServerTransID"],
        "dsTransID": ares["dsTransID"],
        "acsTransID": ares["acsTransID"],
        "transStatus": "Y",
        "authenticationType": "03",
        "interactionCounter": "01",
        "eci": "05",
        "authenticationValue": "QUJDREVGR0hJSktMTU5PUFFSU1Q=",
    }
    async with web_browser.post(f"{merchant.ds_url}/rreq", json=rreq) as response:
        rres = await response.json()
    assert rres == {
        "messageType": "RRes",
        "messageVersion": ares["messageVersion"],
        "threeDSServerTransID": ares["threeDSServerTransID"],
        "acsTransID": ares["acsTransID"],
        "dsTransID": ares["dsTransID"],
        "resultsStatus": "01",
    }
    protocol = pytest.importorskip("acs.protocol")
    protocol.validate_incoming(rres, expected=protocol.MessageType.RRES)
    api = f"{merchant.threeds_server_url}/api/transactions/{ares['threeDSServerTransID']}"
    async with web_browser.get(api) as response:
        outcome = await response.json()
    assert (outcome["status"], outcome["transStatus"], outcome["eci"]) == ("done", "Y", "05")


async def test_threeds_server_root_lists_recent_transactions(merchant, web_browser) -> None:
    """GET / on the 3DS Server: its recent transactions, masked card and outcome (HTML, and
    JSON on request)."""
    await pay(web_browser, merchant, "4970100000000030", "tshirt-bio")
    async with web_browser.get(f"{merchant.threeds_server_url}/") as response:
        page = await response.text()
    assert response.content_type == "text/html"
    assert "•••• 0030" in page and "4970100000000030" not in page
    headers = {"Accept": "application/json"}
    async with web_browser.get(f"{merchant.threeds_server_url}/", headers=headers) as response:
        [row] = (await response.json())["transactions"]
    assert (row["transStatus"], row["transStatusReason"]) == ("N", "11")


async def test_jacket_asks_for_acquirer_tra(merchant, web_browser) -> None:
    """The jacket's AReq carries threeDSRequestorChallengeInd 05; the ACS answers Y without a
    challenge and the shop names the exemption."""
    _, page = await pay(web_browser, merchant, "4970100000000014", "veste-lin")
    [transaction] = merchant.transactions.all()
    assert transaction.areq["threeDSRequestorChallengeInd"] in ("05", ["05"])
    assert verdict(page).startswith("Paiement accepté — Le marchand a demandé l'exemption")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("card_number", "4970 1000 0000 0015", "Numéro de carte invalide : un chiffre"),
        ("card_number", "4970 1000", "Numéro de carte incomplet"),
        ("cvv", "12", "Cryptogramme invalide"),
        ("expiry", "13/29", "Date d'expiration invalide"),
    ],
)
async def test_checkout_form_errors_in_french(
    merchant, web_browser, field: str, value: str, message: str
) -> None:
    """A wrong digit (Luhn), a short number, a bad CVV or expiry: 400, the form again with a
    French message, the field marked invalid, the CVV never written back."""
    form = {"produit": "tshirt-bio", "card_number": "4970 1000 0000 0014", "expiry": "12/29",
            "cvv": "123", "holder": "Camille Martin", **BROWSER_FIELDS, field: value}  # fmt: skip
    async with web_browser.post(f"{merchant.shop_url}/paiement", data=form) as response:
        page = unescape(await response.text())
    assert response.status == 400
    assert message in page
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page)
    assert 'value="123"' not in page and 'value="12"' not in page
