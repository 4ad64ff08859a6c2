"""3DS Method routes (§1.7)."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
