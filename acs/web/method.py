"""3DS Method (§1.7) and the card-range view the DS reads.

- ``POST /3ds/method`` — hidden iframe form ``threeDSMethodData``; answers a page whose script
  collects screen, colour depth, time zone, language and platform and posts them (same origin)
  to ``/3ds/method/collect``.
- ``POST /3ds/method/collect`` — stores the data 10 minutes under threeDSServerTransID, then
  auto-posts ``threeDSMethodData`` = base64url ``{"threeDSServerTransID"}`` to the notification
  URL.
- ``GET /3ds/ranges`` — the served ranges, versions, ``acsInfoInd`` and the threeDSMethodURL of
  ranges with ``method_url = true`` (a PRes-like view).
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from acs.flows.method import (
    MethodDataInvalid,
    notification_data,
    read_method_data,
    store_device_data,
)
from acs.protocol import SUPPORTED_VERSIONS
from acs.web.challenge_pages import render
from acs.web.keys import CLOCK, SESSIONS, SETTINGS

__all__ = ["ranges_routes", "routes"]

routes = web.RouteTableDef()
ranges_routes = web.RouteTableDef()  # for the operator and the DS: the admin listener


@routes.post("/3ds/method")
async def method(request: web.Request) -> web.Response:
    form = await request.post()
    value = str(form.get("threeDSMethodData", ""))
    try:
        read_method_data(value)
    except MethodDataInvalid as exc:
        raise web.HTTPBadRequest(text=f"threeDSMethodData: {exc}") from None
    collect = f"{request.app[SETTINGS].base_url}/3ds/method/collect"
    return render("method.html", method_data=value, collect_url=collect)


@routes.post("/3ds/method/collect")
async def collect(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        run = read_method_data(str(form.get("threeDSMethodData", "")))
    except MethodDataInvalid as exc:
        raise web.HTTPBadRequest(text=f"threeDSMethodData: {exc}") from None
    app = request.app
    ttl = timedelta(seconds=app[SETTINGS].method_data_ttl_seconds)
    fields = {k: str(v) for k, v in form.items()}
    async with app[SESSIONS].begin() as session:
        await store_device_data(
            session, run.three_ds_server_trans_id, fields, now=app[CLOCK].now(), ttl=ttl
        )
    return render(
        "challenge_post.html",
        action=run.notification_url,
        fields=[("threeDSMethodData", notification_data(run.three_ds_server_trans_id))],
        lang="fr",
        t={"title": "3DS Method", "continue": "Continuer"},
        message="",
    )


@ranges_routes.get("/3ds/ranges")
async def ranges(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    listed = []
    for card_range in settings.card_ranges:
        item = {
            "startRange": card_range.start,
            "endRange": card_range.end,
            "scheme": str(card_range.scheme),
            "acsStartProtocolVersion": SUPPORTED_VERSIONS[0],
            "acsEndProtocolVersion": SUPPORTED_VERSIONS[-1],
            "acsInfoInd": ["01", "03"],
        }
        if card_range.method_url:
            item["threeDSMethodURL"] = f"{settings.base_url}/3ds/method"
        listed.append(item)
    return web.json_response({"cardRangeData": listed})
