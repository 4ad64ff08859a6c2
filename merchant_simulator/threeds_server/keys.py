"""Typed keys of what the 3DS Server app holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import ClientSession, web

from merchant_simulator.threeds_server.config import ThreeDSServerConfig
from merchant_simulator.threeds_server.state import Transactions

CONFIG = web.AppKey("threeds_config", ThreeDSServerConfig)
TRANSACTIONS = web.AppKey("threeds_transactions", Transactions)
HTTP = web.AppKey("threeds_http", ClientSession)
NOW: web.AppKey[Callable[[], datetime]] = web.AppKey("threeds_now")
