"""Browser-facing routes: the 3DS Method, the AReq, the challenge frame, the final CRes.

``GET /authenticate/{id}`` runs the 3DS Method (hidden iframe, time-limited) and then posts
``/authenticate/{id}/continue``, which sends the AReq through the DS. A frictionless answer sends
the browser back to the merchant; a challenge opens the ACS in an iframe. The ACS posts the
final CRes to ``/notify`` inside that iframe; the 3DS Method notification lands on
``/method-notify``.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from aiohttp import web

from merchant_simulator.threeds_server import pages
from merchant_simulator.threeds_server.areq import Endpoints, build_areq, creq_for
from merchant_simulator.threeds_server.ds_client import send_areq
from merchant_simulator.threeds_server.encoding import DecodeError, decode_json, encode_json
from merchant_simulator.threeds_server.keys import CONFIG, HTTP, NOW, TRANSACTIONS
from merchant_simulator.threeds_server.state import Transaction
from merchant_simulator.threeds_server.urls import own_url

__all__ = ["routes"]

routes = web.RouteTableDef()


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _transaction(request: web.Request) -> Transaction:
    transaction = request.app[TRANSACTIONS].get(request.match_info["trans_id"])
    if transaction is None:
        raise web.HTTPNotFound(
            text=pages.error_page("Transaction inconnue."), content_type="text/html"
        )
    return transaction


@routes.get("/authenticate/{trans_id}")
async def authenticate(request: web.Request) -> web.Response:
    transaction = _transaction(request)
    if transaction.ares is not None or transaction.erro is not None:
        raise web.HTTPSeeOther(transaction.return_url)  # a reload after the AReq went out
    config = request.app[CONFIG]
    if transaction.method_url and transaction.method == "none":
        transaction = request.app[TRANSACTIONS].update(
            transaction.trans_id, method="started", method_started_at=request.app[NOW]()
        )
    method_data = encode_json(
        {
            "threeDSServerTransID": transaction.trans_id,
            "threeDSMethodNotificationURL": own_url(request, config, "/method-notify"),
        }
    )
    page = pages.authenticate_page(
        continue_url=own_url(request, config, f"/authenticate/{transaction.trans_id}/continue"),
        method_url=transaction.method_url,
        method_data=method_data,
        timeout_ms=int(config.method_timeout_s * 1000),
    )
    return _html(page)


@routes.post("/authenticate/{trans_id}/continue")
async def send_authentication(request: web.Request) -> web.Response:
    transaction = _transaction(request)
    if transaction.ares is not None or transaction.erro is not None:
        raise web.HTTPSeeOther(transaction.return_url)  # a second submit
    transaction = await _authenticate(request, transaction)
    ares = transaction.ares
    if ares is None or ares.get("transStatus") != "C":
        raise web.HTTPSeeOther(transaction.return_url)
    config = request.app[CONFIG]
    page = pages.challenge_page(
        acs_url=str(ares["acsURL"]),
        creq=encode_json(creq_for(dict(ares), window_size=config.challenge_window_size)),
        session_data=transaction.session_data,
        window_size=config.challenge_window_size,
    )
    return _html(page)


async def _authenticate(request: web.Request, transaction: Transaction) -> Transaction:
    """Build and send the AReq; store the ARes, or the Erro (also for a C without acsURL)."""
    config, store = request.app[CONFIG], request.app[TRANSACTIONS]
    comp_ind = {"none": "U", "done": "Y"}.get(transaction.method, "N")
    endpoints = Endpoints(
        notification_url=own_url(request, config, "/notify"),
        server_url=own_url(request, config, "/rreq"),
    )
    areq = build_areq(
        transaction,
        config=config,
        version=transaction.version,
        comp_ind=comp_ind,
        endpoints=endpoints,
        now=request.app[NOW](),
    )
    store.update(transaction.trans_id, comp_ind=comp_ind, areq=areq)
    answer = await send_areq(request.app[HTTP], config.ds_url, areq)
    if answer.get("messageType") == "ARes" and not _usable(answer):
        answer = {**answer, "messageType": "Erro", "errorCode": "201", "errorComponent": "S"}
        answer.update(errorDescription="ARes C without acsURL", errorDetail="acsURL")
    key = "ares" if answer.get("messageType") == "ARes" else "erro"
    return store.update(transaction.trans_id, **{key: answer})


def _usable(ares: dict) -> bool:
    return ares.get("transStatus") != "C" or bool(ares.get("acsURL"))


@routes.post("/method-notify")
async def method_notify(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        data = decode_json(str(form.get("threeDSMethodData", "")))
    except DecodeError:
        return _html(pages.method_done_page(), status=400)
    store = request.app[TRANSACTIONS]
    transaction = store.get(data.get("threeDSServerTransID"))
    if transaction is not None and _in_time(request, transaction):
        store.update(transaction.trans_id, method="done")
    return _html(pages.method_done_page())


def _in_time(request: web.Request, transaction: Transaction) -> bool:
    """Only a notification before the AReq and within the method time limit counts."""
    if transaction.method != "started" or transaction.method_started_at is None:
        return False
    limit = timedelta(seconds=request.app[CONFIG].method_timeout_s)
    return request.app[NOW]() - transaction.method_started_at <= limit


@routes.post("/notify")
async def notify(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        cres = decode_json(str(form.get("cres", "")))
    except DecodeError:
        return _html(pages.error_page("Réponse d'authentification illisible."), status=400)
    store = request.app[TRANSACTIONS]
    transaction = store.get(cres.get("threeDSServerTransID"))
    if transaction is None or not _matches(transaction, cres, str(form.get("threeDSSessionData"))):
        return _html(pages.error_page("Réponse d'authentification inattendue."), status=400)
    key = "erro" if cres.get("messageType") == "Erro" else "cres"
    store.update(transaction.trans_id, **{key: cres})
    return _html(pages.notify_done_page(transaction.return_url))


def _matches(transaction: Transaction, cres: dict, session_data: str) -> bool:
    """The CRes belongs to the challenge this server opened, with its session data unchanged."""
    ares = transaction.ares or {}
    same_acs = cres.get("acsTransID") in (None, ares.get("acsTransID"))
    same_session = hmac.compare_digest(session_data.encode(), transaction.session_data.encode())
    return transaction.challenged and same_acs and same_session
