"""App challenge route (§1.6): ``POST /3ds/app-challenge`` with a JWE CReq."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
