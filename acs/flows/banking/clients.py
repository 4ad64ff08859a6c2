"""Who calls ``/banking/v1``: the bank's online-banking back end, with a service token from the
bank's identity provider (docs/security.md, "The banking operations API").

The token is checked by the same :class:`~acs.auth.TokenVerifier` as the customers' and the
staff's (signature by a key of the provider, ``iss``, ``exp``/``iat``, at most
``max_token_minutes`` of life) for its own audience (``[identity_provider] banking_audience``),
and carries a ``client`` claim naming the calling system, accepted only if listed in
``[banking] clients`` (when the list is set). Unlike a customer's or a staff member's token,
a service token is *not* spent on first use: a back end holds one client-credentials token for
its short life and long-polls with it, as OAuth 2.0 (RFC 6749 §4.4) intends; what keeps it
from being replayed by someone else is where it travels — the admin listener, TLS, the bank's
own network.
"""

from __future__ import annotations

from acs.auth import Reason, TokenRejected, TokenVerifier
from acs.config import Settings

__all__ = ["MAX_CLIENT", "accept_client"]

MAX_CLIENT = 64


async def accept_client(verifier: TokenVerifier, token: str | None, *, settings: Settings) -> str:
    """The ``client`` of a valid banking service token; :class:`TokenRejected` otherwise."""
    if not token:
        raise TokenRejected(Reason.MISSING, "Authorization: Bearer <token> is required")
    verified = await verifier.verify(
        token, expected_audience=settings.identity_provider.banking_audience
    )
    client = verified.claims.get("client")
    if not (isinstance(client, str) and 1 <= len(client) <= MAX_CLIENT and client.isprintable()):
        raise TokenRejected(Reason.CLAIMS, f"client must be a string of 1 to {MAX_CLIENT}")
    allowed = settings.banking.clients
    if allowed and client not in allowed:
        raise TokenRejected(Reason.CLAIMS, f"client {client!r} is not in [banking] clients")
    return client
