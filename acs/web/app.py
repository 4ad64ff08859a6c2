"""The application factory: everything the app needs enters through ``create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from acs import protocol
from acs.clock import Clock, SystemClock
from acs.config import Settings
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.storage.engine import make_engine, make_sessionmaker
from acs.storage.ranges import sync_card_ranges
from acs.web import ds, ops
from acs.web.keys import CLOCK, ENGINE, KEYRING, METRICS, SESSIONS, SETTINGS, VAULT
from acs.web.metrics import Metrics
from acs.web.middlewares import protocol_errors

__all__ = ["create_app"]


def create_app(
    settings: Settings, *, keys: KeyRing | None = None, clock: Clock | None = None
) -> web.Application:
    """Build the ACS. The database must already be migrated (``acs db upgrade`` or serve)."""
    protocol.preload()  # compile every validator now, not on the first AReq
    app = web.Application(middlewares=[protocol_errors], client_max_size=settings.max_body_bytes)
    keys = keys or KeyRing.load(settings.keys_dir)
    app[SETTINGS], app[CLOCK], app[KEYRING] = settings, clock or SystemClock(), keys
    app[VAULT] = PanVault(keys.pan_hmac, keys.pan_keys, keys.pan_active_kid)
    app[METRICS] = Metrics()
    app.cleanup_ctx.append(_database)
    app.add_routes(ds.routes)
    app.add_routes(ops.routes)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = make_engine(app[SETTINGS].database_url)
    app[ENGINE], app[SESSIONS] = engine, make_sessionmaker(engine)
    async with app[SESSIONS].begin() as session:
        await sync_card_ranges(session, app[SETTINGS].card_ranges)
    yield
    await engine.dispose()
