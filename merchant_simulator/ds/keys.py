"""Typed keys of what the DS app holds."""

from __future__ import annotations

from aiohttp import ClientSession, web

from merchant_simulator.ds.config import DsConfig
from merchant_simulator.ds.directory import Directory

CONFIG = web.AppKey("ds_config", DsConfig)
DIRECTORY = web.AppKey("ds_directory", Directory)
HTTP = web.AppKey("ds_http", ClientSession)
