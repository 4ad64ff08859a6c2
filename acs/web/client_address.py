"""The client's address, for limits per address: the TCP peer, or — only when the peer is one of
the configured ``trusted_proxies`` — what that proxy wrote in ``X-Forwarded-For``.

The header is read from the right: each trusted proxy appends the address it received the call
from, so the rightmost address that is not itself a trusted proxy is the client as far as the
bank's own infrastructure can vouch; anything further left was written by the client and could
be anything. With no trusted proxies the header is ignored (a client cannot choose its address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from aiohttp import web

__all__ = ["client_address"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: web.Request, trusted: Sequence[Network]) -> str:
    peer = request.remote or ""
    if not trusted or not _within(peer, trusted):
        return peer
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop if _address(hop) is not None else peer
    return peer


def _within(text: str, trusted: Sequence[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
