"""The application factory: everything the app needs enters through ``create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from acs import protocol
from acs.auth import TokenVerifier
from acs.auth.oidc import OidcClient
from acs.clock import Clock, SystemClock
from acs.config import Settings
from acs.crypto.ds_clients import DsClientCas
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.flows.backoffice.monitor import TraGate
from acs.flows.banking.hook import REF_TYPE as BANKING
from acs.flows.banking.hook import banking_hook
from acs.flows.challenge.operation_hook import operation_hook
from acs.notify.hub import Hub
from acs.notify.push import LogPush, PushGateway, WebhookPush
from acs.notify.sms import OutboxSms, SmsGateway, WebhookSms
from acs.storage.areq_store import AReqStores
from acs.storage.engine import DbTimeouts, make_engine, make_sessionmaker
from acs.storage.notifications import PgWakeups
from acs.storage.ranges import sync_card_ranges
from acs.web import (
    about,
    advisor,
    backoffice,
    backoffice_customers,
    backoffice_dashboard,
    backoffice_fraud,
    backoffice_transactions,
    banking,
    challenge,
    challenge_app,
    dev,
    ds,
    headers_policy,
    method,
    ops,
    securpass,
)
from acs.web.challenge_worker import challenge_worker
from acs.web.keys import (
    AREQ_STORES,
    CLOCK,
    DS_CLIENT_CAS,
    ENGINE,
    HUB,
    KEYRING,
    METRICS,
    OIDC,
    OPERATION_HOOKS,
    OUTAGES,
    PUSH,
    ROUTING,
    SESSIONS,
    SETTINGS,
    SMS,
    TOKENS,
    TRA_GATE,
    VAULT,
)
from acs.web.listeners import ListenerName, Routing
from acs.web.metrics import Metrics
from acs.web.middlewares import on_its_listener, protocol_errors
from acs.web.outages import OutageLog
from acs.web.results_sender import results_sender, worker_sender
from acs.web.securpass_errors import json_api
from acs.web.tra_monitor import tra_monitor

__all__ = ["create_app", "create_worker_app"]


def create_app(
    settings: Settings,
    *,
    keys: KeyRing | None = None,
    clock: Clock | None = None,
    results_worker: bool = True,
) -> web.Application:
    """Build the ACS. The database must already be migrated (``acs db upgrade`` or serve).

    ``results_worker``: this process also runs the results worker (timeouts, RReq retries,
    purges; tests and ``acs demo``). ``acs serve`` runs it in a process of its own
    (:func:`create_worker_app`), so AReqs and approvals never wait behind its batches."""
    protocol.preload()  # compile every validator now, not on the first AReq
    # Without listeners every route answers on the one site: no per-request listener check.
    listening = [on_its_listener] if settings.listeners.configured else []
    app = web.Application(
        middlewares=[*listening, protocol_errors], client_max_size=settings.max_body_bytes
    )
    headers_policy.install(app)
    _common(app, settings, keys, clock)
    app[OUTAGES] = OutageLog()
    app[TOKENS] = TokenVerifier.from_settings(settings.identity_provider, clock=app[CLOCK])
    app[OIDC] = OidcClient(settings.identity_provider)
    app[TRA_GATE] = TraGate(settings)  # the monitor's TRA bands (acs.web.tra_monitor)
    app[DS_CLIENT_CAS] = _ds_client_cas(settings)
    # One hook per flow that owns operations (keyed by the operation's ref_type).
    app[OPERATION_HOOKS] = {
        "3ds": operation_hook(challenge.result_keys(app)),
        BANKING: banking_hook(settings.banking),
    }
    # Every HTTP process measures the fraud-rate monitor: its AReqs decide with its bands.
    app.cleanup_ctx.extend([_database, _gateways, results_sender, tra_monitor])
    if results_worker:
        app.cleanup_ctx.extend([challenge_worker, banking.banking_worker])
    app[ROUTING] = _routes(app, Routing())
    return app


def create_worker_app(
    settings: Settings, *, keys: KeyRing | None = None, clock: Clock | None = None
) -> web.Application:
    """The results worker of ``acs worker``: no route, the database, the gateways, the sender
    of due RReqs and the worker loop (:mod:`acs.web.challenge_worker`), run by an AppRunner's
    cleanup contexts. Several may run against PostgreSQL: the outbox leases share the work."""
    app = web.Application()
    _common(app, settings, keys, clock)
    app.cleanup_ctx.extend(
        [_database, _gateways, worker_sender, challenge_worker, banking.banking_worker]
    )
    app.router.add_get("/metrics", ops.metrics)  # served by `acs worker --metrics-port` only
    return app


def _common(
    app: web.Application, settings: Settings, keys: KeyRing | None, clock: Clock | None
) -> None:
    keys = keys or KeyRing.load(settings.keys_dir)
    app[SETTINGS], app[CLOCK], app[KEYRING] = settings, clock or SystemClock(), keys
    app[VAULT] = PanVault(keys.pan_hmac, keys.pan_keys, keys.pan_active_kid)
    app[METRICS] = Metrics()
    app[SMS], app[PUSH] = sms_gateway(settings), push_gateway(settings)


def _ds_client_cas(settings: Settings) -> DsClientCas:
    """The CA bundles the ds listener's mutual TLS trusts (none without a TLS ds listener)."""
    ds = settings.listeners.ds
    if ds is None or not ds.tls:
        return DsClientCas({})
    return DsClientCas.load(
        {scheme: t.ds_client_ca for scheme, t in settings.schemes.items() if t.ds_client_ca}
    )


def _routes(app: web.Application, routing: Routing) -> Routing:
    """Every route, each on its listener (docs/security.md, "Listeners and mutual TLS")."""
    routing.add(app.router, ListenerName.DS, ds.routes)
    public = [*challenge.routes, *challenge_app.routes, *method.routes]
    routing.add(app.router, ListenerName.PUBLIC, [*public, *json_api(securpass.routes)])
    routing.add(app.router, ListenerName.ADMIN, [*ops.routes, *method.ranges_routes])
    routing.add(app.router, ListenerName.ADMIN, about.routes)  # GET /: name, version, links
    routing.add(app.router, ListenerName.ADMIN, advisor.routes)  # staff-guarded (acs.web.staff)
    routing.add(app.router, ListenerName.ADMIN, backoffice.routes)  # staff sessions (OIDC)
    routing.add(app.router, ListenerName.ADMIN, backoffice_customers.routes)
    routing.add(app.router, ListenerName.ADMIN, backoffice_fraud.routes)
    routing.add(app.router, ListenerName.ADMIN, backoffice_transactions.routes)
    routing.add(app.router, ListenerName.ADMIN, backoffice_dashboard.routes)
    # The bank's systems call /banking/v1 from its own network (docs/security.md).
    routing.add(app.router, ListenerName.ADMIN, json_api(banking.routes))
    routing.add(app.router, frozenset([ListenerName.PUBLIC, ListenerName.ADMIN]), ops.health_routes)
    if not app[SETTINGS].production and isinstance(app[SMS], OutboxSms):  # docs/security.md
        routing.add(app.router, ListenerName.ADMIN, dev.routes)
    return routing


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    timeouts = DbTimeouts(
        connect=settings.db_connect_timeout_seconds,
        pool=settings.db_pool_timeout_seconds,
        statement=settings.db_statement_timeout_seconds,
    )
    engine = make_engine(settings.database_url, timeouts=timeouts)
    app[ENGINE], app[SESSIONS] = engine, make_sessionmaker(engine)
    app[AREQ_STORES] = AReqStores(engine, app[SESSIONS])
    async with app[SESSIONS].begin() as session:
        await sync_card_ranges(session, app[SETTINGS].card_ranges)
    app[HUB] = Hub(PgWakeups(engine))
    await app[HUB].start()
    yield
    await app[HUB].stop()
    await engine.dispose()


async def _gateways(app: web.Application) -> AsyncIterator[None]:
    yield
    for gateway in (app[SMS], app[PUSH]):
        close = getattr(gateway, "close", None)
        if close is not None:
            await close()


def sms_gateway(settings: Settings) -> SmsGateway:
    if settings.sms_gateway == "webhook":
        return WebhookSms(settings.sms_webhook_url, token=settings.sms_webhook_token)
    return OutboxSms()


def push_gateway(settings: Settings) -> PushGateway:
    if settings.push_gateway == "webhook":
        return WebhookPush(settings.push_webhook_url, token=settings.push_webhook_token)
    return LogPush()
