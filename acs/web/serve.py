"""Serving the app: one site per configured listener, its TLS, and the sockets of ``acs serve``.

:func:`plan` turns the settings into sites (and stops start-up with a
:class:`~acs.config.ConfigError` naming the key for a certificate that does not load, a TLS ds
listener with no client CA, or two sites on one address). :func:`bind` opens their listening
sockets once, in the supervisor, without ``SO_REUSEPORT``: a port another process serves is a
:class:`ListenError` at once, never a port shared with a second deployment; the HTTP workers
inherit the sockets and :func:`start_on` serves them (:func:`start` binds by itself, for tests
and ``acs demo``). Both record where each site listens (:class:`~acs.web.listeners.Routing`).
"""

from __future__ import annotations

import errno
import functools
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from acs.config import ConfigError, Listener, Settings
from acs.web.keys import ROUTING
from acs.web.listeners import EVERY, ListenerName, Served, configured, unconfigured

__all__ = ["ListenError", "Site", "bind", "client_cas", "describe", "plan", "start", "start_on"]


@dataclass(frozen=True)
class Site:
    """One address to listen on, the listeners it serves and its TLS (None: plain HTTP)."""

    host: str
    port: int
    serves: Served
    tls: ssl.SSLContext | None = None
    mutual: bool = False  # a client certificate is required

    def describe(self, port: int) -> str:
        """The start-up line, with the port actually bound."""
        names = "" if self.serves == EVERY else " " + ", ".join(sorted(self.serves))
        host = f"[{self.host}]" if ":" in self.host else self.host
        url = f"{'https' if self.tls else 'http'}://{host}:{port}"
        note = " (client certificate required)" if self.mutual else ""
        if ListenerName.DS in self.serves and self.serves != EVERY and not self.tls:
            note = " (no TLS: development only)"
        return f"serving{names} on {url}{note}"


def plan(settings: Settings) -> list[Site]:
    """The sites of ``settings``: ``host:port`` for what no listener takes, then the listeners."""
    sites = []
    rest = unconfigured(settings)
    if rest:
        sites.append(Site(settings.host, settings.port, rest))
    for name, listener in configured(settings).items():
        sites.append(_listener_site(name, listener, settings))
    _check_distinct(sites)
    return sites


def client_cas(settings: Settings) -> dict[str, str]:
    """The DS client CA bundles, by config key (``schemes.visa.ds_client_ca``)."""
    return {
        f"schemes.{scheme}.ds_client_ca": table.ds_client_ca
        for scheme, table in settings.schemes.items()
        if table.ds_client_ca
    }


def _listener_site(name: ListenerName, listener: Listener, settings: Settings) -> Site:
    where = frozenset([name])
    if not listener.tls:
        return Site(listener.host, listener.port, where)
    context = _server_tls(name, listener)
    if name is not ListenerName.DS:
        return Site(listener.host, listener.port, where, context)
    cas = client_cas(settings)
    if not cas:
        raise ConfigError(
            "listeners.ds", "TLS needs a client CA: set [schemes.<name>] ds_client_ca"
        )
    context.verify_mode = ssl.CERT_REQUIRED  # no certificate, or another CA's: no handshake
    for key, path in cas.items():
        _load(key, functools.partial(context.load_verify_locations, cafile=path))
    return Site(listener.host, listener.port, where, context, mutual=True)


def _server_tls(name: ListenerName, listener: Listener) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    key = f"listeners.{name}.tls_cert"
    _load(key, lambda: context.load_cert_chain(listener.tls_cert, listener.tls_key))
    return context


def _load(key: str, load: Callable[[], None]) -> None:
    try:
        load()
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(key, f"cannot load: {exc}") from None


def _check_distinct(sites: Sequence[Site]) -> None:
    seen = set()
    for site in sites:
        if site.port and (site.host, site.port) in seen:
            raise ConfigError("listeners", f"two listeners on {site.host}:{site.port}")
        seen.add((site.host, site.port))


async def start(runner: web.AppRunner, sites: Sequence[Site]) -> list[str]:
    """Start ``sites`` on ``runner`` (set up); record their addresses; the start-up lines."""
    routing = runner.app[ROUTING]
    lines = []
    for site in sites:
        before = len(runner.addresses)
        await web.TCPSite(runner, site.host, site.port, ssl_context=site.tls).start()
        bound = runner.addresses[before:]
        routing.record(bound, site.serves)
        lines.append(site.describe(int(bound[0][1])))
    return lines


class ListenError(Exception):
    """A planned address cannot be listened on (already served, not local, not allowed)."""


BACKLOG = 1024


def bind(sites: Sequence[Site]) -> list[list[socket.socket]]:
    """Listening sockets for ``sites``, in order (one per address the host resolves to)."""
    bound: list[list[socket.socket]] = []
    try:
        for site in sites:
            bound.append(_bind_site(site))
    except BaseException:
        for group in bound:
            for sock in group:
                sock.close()
        raise
    return bound


def _bind_site(site: Site) -> list[socket.socket]:
    where = f"[{site.host}]:{site.port}" if ":" in site.host else f"{site.host}:{site.port}"
    try:
        infos = socket.getaddrinfo(
            site.host or None, site.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError as exc:
        raise ListenError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    group: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            group.append(sock)
            # A restart may reuse a port in TIME_WAIT; never SO_REUSEPORT (a second listener).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError as exc:
        for sock in group:
            sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(
                f"cannot listen on {where}: address already in use (another acs serve?)"
            ) from None
        raise ListenError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    return group


def describe(sites: Sequence[Site], sockets: Sequence[Sequence[socket.socket]]) -> list[str]:
    """The start-up lines, with the ports actually bound."""
    return [
        site.describe(int(g[0].getsockname()[1])) for site, g in zip(sites, sockets, strict=True)
    ]


async def start_on(
    runner: web.AppRunner, sites: Sequence[Site], sockets: Sequence[Sequence[socket.socket]]
) -> None:
    """Serve ``sites`` on the sockets :func:`bind` opened (in this process or its supervisor)."""
    routing = runner.app[ROUTING]
    for site, group in zip(sites, sockets, strict=True):
        for sock in group:
            await web.SockSite(runner, sock, ssl_context=site.tls, backlog=BACKLOG).start()
        routing.record([sock.getsockname() for sock in group], site.serves)
