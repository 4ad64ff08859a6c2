"""The three listeners (docs/security.md, "Listeners and mutual TLS"): which route answers where.

One application serves every listener: one :class:`~aiohttp.web.AppRunner`, one
:class:`~aiohttp.web.TCPSite` per listener (:mod:`acs.web.serve`). Each route's resource is
tagged with the listener it belongs to (:meth:`Routing.add`); the middleware
:func:`~acs.web.middlewares.on_its_listener` answers 404 when a request arrived on a site that
does not serve that listener. A site is recognised by the local address its connections come in
on, recorded when the site starts (:meth:`Routing.record`).

With no ``[listeners.*]`` configured everything stays on ``host:port`` and nothing is checked
(the middleware is not installed). A
listener that is not configured falls back to ``host:port`` too: configuring only ``ds`` moves
``/3ds/areq`` there and leaves the rest where it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web

from acs.config import Listener, Settings

__all__ = ["ListenerName", "Routing", "Served", "configured", "unconfigured"]


class ListenerName(StrEnum):
    """The ``[listeners.<name>]`` tables."""

    DS = "ds"  # POST /3ds/areq, mutual TLS
    PUBLIC = "public"  # cardholder browser and phone
    ADMIN = "admin"  # back office, metrics, readiness, dev routes


Served = frozenset[ListenerName]
EVERY: Served = frozenset(ListenerName)

_WILDCARDS = ("0.0.0.0", "::", "")


@dataclass
class Routing:
    """Which listener each resource belongs to, and what each started site serves.

    Mutable on purpose: the sites start after the application is frozen. Consulted only when
    listeners are configured (the app factory installs the middleware then); in development
    every route answers on the one site.
    """

    tags: dict[web.AbstractResource, Served] = field(default_factory=dict)
    sites: dict[tuple[str, int], Served] = field(default_factory=dict)

    def add(
        self, router: web.UrlDispatcher, where: ListenerName | Served,
        routes: Iterable[web.AbstractRouteDef],
    ) -> None:  # fmt: skip
        """Add ``routes`` to ``router``, each resource tagged with the listener(s) ``where``."""
        served = frozenset([where]) if isinstance(where, ListenerName) else where
        for route in router.add_routes(routes):
            # The resource, not the route: aiohttp adds an untagged HEAD route beside each GET.
            resource = route.resource
            assert resource is not None
            self.tags[resource] = self.tags.get(resource, frozenset()) | served

    def record(self, addresses: Iterable[Any], served: Served) -> None:
        """A site started on ``addresses`` (``getsockname()`` tuples) and serves ``served``."""
        for address in addresses:
            self.sites[(str(address[0]), int(address[1]))] = served

    def allows(self, resource: web.AbstractResource | None, sockname: Any) -> bool:
        """Whether ``resource`` answers on the site a connection with ``sockname`` reached
        (None, the router's own answer such as a 405: never)."""
        if resource is None:
            return False
        return bool(self.tags.get(resource, frozenset()) & self._served_at(sockname))

    def _served_at(self, sockname: Any) -> Served:
        """What the site a connection arrived on serves (nothing if unknown: fail closed)."""
        if not sockname or len(sockname) < 2:
            return frozenset()
        host, port = str(sockname[0]), int(sockname[1])
        found = self.sites.get((host, port))
        if found is not None:
            return found
        # A site bound to every address sees the connection's own local address.
        wild = (self.sites.get((w, port)) for w in _WILDCARDS)
        return next((s for s in wild if s is not None), frozenset())


def configured(settings: Settings) -> dict[ListenerName, Listener]:
    """The configured listeners, by name."""
    tables = settings.listeners
    found = {name: getattr(tables, name.value) for name in ListenerName}
    return {name: listener for name, listener in found.items() if listener is not None}


def unconfigured(settings: Settings) -> Served:
    """The listeners whose routes stay on ``host:port`` (all of them in development)."""
    return EVERY - configured(settings).keys()
