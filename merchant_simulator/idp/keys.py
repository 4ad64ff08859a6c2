"""Typed keys of what the identity provider app holds."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from merchant_simulator.idp.config import IdpConfig
from merchant_simulator.idp.logins import Logins
from merchant_simulator.idp.signer import TokenSigner

CONFIG = web.AppKey("idp_config", IdpConfig)
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("idp_clock")
LOGINS = web.AppKey("idp_logins", Logins)
SIGNER = web.AppKey("idp_signer", TokenSigner)
