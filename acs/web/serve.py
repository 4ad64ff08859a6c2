"""Serving the app: one site per configured listener, its TLS, and the run loop of ``acs serve``.

:func:`plan` turns the settings into sites (and stops start-up with a
:class:`~acs.config.ConfigError` naming the key for a certificate that does not load, a TLS ds
listener with no client CA, or two sites on one address); :func:`start` starts them on one
runner and records where each listens (:class:`~acs.web.listeners.Routing`); :func:`run` is the
process's loop until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import functools
import signal
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from acs.config import ConfigError, Listener, Settings
from acs.web.keys import ROUTING
from acs.web.listeners import EVERY, ListenerName, Served, configured, unconfigured

__all__ = ["Site", "client_cas", "plan", "run", "start"]


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
        return f"acs: serving{names} on {url}{note}"


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


async def start(
    runner: web.AppRunner, sites: Sequence[Site], *, reuse_port: bool = False
) -> list[str]:
    """Start ``sites`` on ``runner`` (set up); record their addresses; the start-up lines."""
    routing = runner.app[ROUTING]
    lines = []
    for site in sites:
        before = len(runner.addresses)
        await web.TCPSite(
            runner, site.host, site.port, ssl_context=site.tls, reuse_port=reuse_port
        ).start()
        bound = runner.addresses[before:]
        routing.record(bound, site.serves)
        lines.append(site.describe(int(bound[0][1])))
    return lines


async def run(
    app: web.Application, sites: Sequence[Site], *, reuse_port: bool,
    echo: Callable[[str], None],
) -> None:  # fmt: skip
    """Serve ``app`` on ``sites`` until SIGINT or SIGTERM, then shut down cleanly."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for line in await start(runner, sites, reuse_port=reuse_port):
            echo(line)
        await stop.wait()
    finally:
        await runner.cleanup()
