"""The bank's online-banking identity provider, simulated: the Banxo app's login and its tokens.

``create_idp_app(IdpConfig(issuer))`` serves ``/login`` (remote-banking identifier and
password), ``/token`` (a fresh single-use customer token for a session), ``/staff/token``
(development staff tokens), ``/.well-known/jwks.json`` and the staff's OpenID Connect login
(``/authorize``, ``/oauth/token``, discovery; ``DEMO_STAFF``); ``start_idp(port=8104)`` serves it.
``DEMO_USERS`` are the demo logins. It speaks only HTTP (no ``acs`` import), like every simulator.
"""

from merchant_simulator.idp.app import JWKS_PATH, create_idp_app
from merchant_simulator.idp.config import (
    DEMO_STAFF,
    DEMO_USERS,
    STAFF_ROLES,
    IdpConfig,
    IdpStaff,
    IdpUser,
)
from merchant_simulator.idp.server import DEFAULT_IDP_PORT, RunningIdp, start_idp

__all__ = [
    "DEFAULT_IDP_PORT",
    "DEMO_STAFF",
    "DEMO_USERS",
    "JWKS_PATH",
    "STAFF_ROLES",
    "IdpConfig",
    "IdpStaff",
    "IdpUser",
    "RunningIdp",
    "create_idp_app",
    "start_idp",
]
