"""The shop app: sale, product, cart, checkout, and the result after 3-D Secure.

The shop is the 3DS Requestor's front end: it calls the 3DS Server's JSON API over HTTP and sends
the browser to the 3DS Server's authentication page, which brings it back to the result page.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from merchant_simulator.shop import pages
from merchant_simulator.shop.catalog import Product, find_product
from merchant_simulator.shop.checkout import CheckoutError, browser_data, read_payment_form
from merchant_simulator.shop.config import ShopConfig
from merchant_simulator.shop.keys import CONFIG, HTTP, ORDERS
from merchant_simulator.shop.orders import Order, Orders
from merchant_simulator.shop.verdicts import Verdict, verdict

__all__ = ["create_shop_app"]

log = logging.getLogger("merchant_simulator.shop")
routes = web.RouteTableDef()


def create_shop_app(config: ShopConfig) -> web.Application:
    """Build the shop, talking to the 3DS Server at ``config.threeds_server_url``."""
    app = web.Application()
    app[CONFIG], app[ORDERS] = config, Orders()
    app.cleanup_ctx.append(_http_client)
    app.add_routes(routes)
    return app


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    timeout = aiohttp.ClientTimeout(total=app[CONFIG].timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        app[HTTP] = session
        yield


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _product(request: web.Request, value: object) -> Product:
    product = find_product(value)
    if product is None:
        raise web.HTTPSeeOther("/")
    return product


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    return _html(pages.home_page(shop_name=request.app[CONFIG].name))


@routes.get("/produit/{product_id}")
async def product(request: web.Request) -> web.Response:
    item = _product(request, request.match_info["product_id"])
    return _html(pages.product_page(item, shop_name=request.app[CONFIG].name))


@routes.get("/panier")
async def cart(request: web.Request) -> web.Response:
    item = _product(request, request.query.get("produit"))
    return _html(pages.cart_page(item, shop_name=request.app[CONFIG].name))


@routes.get("/paiement")
async def checkout(request: web.Request) -> web.Response:
    item = _product(request, request.query.get("produit"))
    return _html(pages.checkout_page(item, shop_name=request.app[CONFIG].name))


@routes.post("/paiement")
async def pay(request: web.Request) -> web.Response:
    form = {k: str(v) for k, v in (await request.post()).items()}
    item, name = _product(request, form.get("produit")), request.app[CONFIG].name
    try:
        payment = read_payment_form(form)
    except CheckoutError as exc:
        page = pages.checkout_page(
            item, shop_name=name, error=str(exc), values=form, invalid=exc.field
        )
        return _html(page, status=400)
    order = request.app[ORDERS].add(
        Order(str(uuid.uuid4()), item.product_id, item.price, payment.holder_name,
              payment.card_number[-4:])
    )  # fmt: skip
    body = {
        "card": {
            "number": payment.card_number,
            "expiry": payment.expiry_yymm,
            "holderName": payment.holder_name,
        },
        "purchase": {"amount": str(item.price), "currency": "978", "exponent": "2"},
        "browser": browser_data(form, request.headers, request.remote),
        "returnURL": _own_url(request, f"/commande/{order.order_id}"),
    }
    if item.challenge_ind:
        body["challengeIndicator"] = item.challenge_ind
    started = await _call(request, "POST", "/api/transactions", body)
    if "authenticateURL" not in started:
        detail = "Le paiement n'a pas pu être lancé. Vérifiez vos informations."
        page = pages.checkout_page(item, shop_name=name, error=detail, values=form)
        return _html(page, status=502)
    request.app[ORDERS].update(order.order_id, trans_id=started["threeDSServerTransID"])
    raise web.HTTPSeeOther(started["authenticateURL"])


@routes.get("/commande/{order_id}")
async def result(request: web.Request) -> web.Response:
    order = request.app[ORDERS].get(request.match_info["order_id"])
    if order is None or not order.trans_id:
        raise web.HTTPNotFound(text="commande inconnue")
    found = await _call(request, "GET", f"/api/transactions/{order.trans_id}")
    shown = verdict(found) if "status" in found else _unknown()
    page = pages.result_page(
        shown, product=find_product(order.product_id), shop_name=request.app[CONFIG].name
    )
    return _html(page)


def _unknown() -> Verdict:
    detail = "Le résultat de l'authentification est indisponible."
    return Verdict("failed", "Paiement impossible", detail, "ko", "Réessayez dans un instant.")


async def _call(
    request: web.Request, method: str, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Call the 3DS Server API; an empty answer when it fails (logged)."""
    url = request.app[CONFIG].threeds_server_url.rstrip("/") + path
    try:
        async with request.app[HTTP].request(method, url, json=body) as response:
            answer = json.loads(await response.read())
            if response.status >= 400:
                log.warning("3DS Server %s %s: %s %s", method, path, response.status, answer)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("3DS Server %s %s failed: %s", method, path, exc)
        return {}
    return answer if isinstance(answer, dict) else {}


def _own_url(request: web.Request, path: str) -> str:
    base = request.app[CONFIG].public_url or str(request.url.origin())
    return base.rstrip("/") + path
