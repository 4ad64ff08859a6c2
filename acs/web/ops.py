"""Operator endpoints: liveness, readiness (database reachable) and Prometheus metrics."""

from __future__ import annotations

from aiohttp import web

from acs.flows.health import database_ready, read_gauges
from acs.web import metrics as metrics_text
from acs.web.keys import CLOCK, ENGINE, SESSIONS

routes = web.RouteTableDef()
health_routes = web.RouteTableDef()  # liveness answers on the public and admin listeners


@health_routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    if await database_ready(request.app[ENGINE]):
        return web.json_response({"status": "ready", "database": "ok"})
    return web.json_response({"status": "not ready", "database": "unreachable"}, status=503)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    gauges = await read_gauges(request.app[SESSIONS], now=request.app[CLOCK].now())
    return web.Response(
        body=metrics_text.render(gauges), content_type="text/plain", charset="utf-8"
    )
