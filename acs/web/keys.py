"""Typed keys for what the app holds (settings, clock, database, keys, token verifier, metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from acs.auth import TokenVerifier
from acs.auth.oidc import OidcClient
from acs.clock import Clock
from acs.config import Settings
from acs.crypto.ds_clients import DsClientCas
from acs.crypto.keys import KeyRing
from acs.crypto.pan import PanVault
from acs.flows.backoffice.monitor import TraGate
from acs.flows.banking.callbacks import CallbackSender
from acs.flows.results import Sender
from acs.flows.securpass.operations import OperationHooks
from acs.notify.hub import Hub
from acs.notify.push import PushGateway
from acs.notify.sms import SmsGateway
from acs.storage.areq_store import AReqStores
from acs.storage.engine import Engine, Sessions
from acs.web.listeners import Routing
from acs.web.metrics import Metrics
from acs.web.outages import OutageLog

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
KEYRING = web.AppKey("keyring", KeyRing)
VAULT = web.AppKey("vault", PanVault)
ENGINE = web.AppKey("engine", Engine)
SESSIONS = web.AppKey("sessions", Sessions)
AREQ_STORES = web.AppKey("areq_stores", AReqStores)
METRICS = web.AppKey("metrics", Metrics)
HUB = web.AppKey("hub", Hub)
SMS = web.AppKey("sms", SmsGateway)
PUSH = web.AppKey("push", PushGateway)

# The identity provider's tokens (customers' pre-device calls; staff), see acs.auth.
TOKENS = web.AppKey("tokens", TokenVerifier)

# The back office's OpenID Connect client (staff login in the browser, acs.web.backoffice).
OIDC = web.AppKey("oidc", OidcClient)

# The hooks called when a Sécur'Pass operation of their ``ref_type`` is decided.
OPERATION_HOOKS = web.AppKey("operation_hooks", OperationHooks)

# The schemes' DS client CAs: which scheme a ds-listener client certificate belongs to.
DS_CLIENT_CAS = web.AppKey("ds_client_cas", DsClientCas)

# Which listener each route belongs to and what each started site serves (acs.web.listeners).
ROUTING = web.AppKey("routing", Routing)

# One log line per change of the database's state as requests see it (acs.web.middlewares).
OUTAGES = web.AppKey("outages", OutageLog)

# The settings the AReq path decides with: the TRA bands the fraud-rate monitor grants.
TRA_GATE = web.AppKey("tra_gate", TraGate)

# The results sender of this process, set by acs.web.results_sender.
SENDER = web.AppKey("sender", Sender)

# The banking callbacks' sender of this process, set by acs.web.banking.banking_worker.
BANK_CALLBACKS = web.AppKey("bank_callbacks", CallbackSender)


@dataclass
class Housekeeping:
    """The challenge worker's own schedule (mutable: the app's mapping is frozen once running)."""

    purge_due: datetime


HOUSEKEEPING = web.AppKey("housekeeping", Housekeeping)
