"""Typed keys of what the shop app holds."""

from __future__ import annotations

from aiohttp import ClientSession, web

from merchant_simulator.shop.config import ShopConfig
from merchant_simulator.shop.orders import Orders

CONFIG = web.AppKey("shop_config", ShopConfig)
ORDERS = web.AppKey("shop_orders", Orders)
HTTP = web.AppKey("shop_http", ClientSession)
