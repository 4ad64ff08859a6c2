"""The results sender of every ``acs serve`` process (a cleanup_ctx): the DS HTTP client and
the :class:`~acs.flows.results.Sender` that delivers RReqs with it.

A cardholder's decision publishes ``rreq:<acsTransID>``: its RReq leaves at once, not behind the
challenge worker's queue (timeouts, retries); the worker remains the safety net.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from acs.flows.results import Sender
from acs.notify import ds, topics
from acs.web.keys import CLOCK, HUB, METRICS, SENDER, SESSIONS, SETTINGS

__all__ = ["results_sender"]


async def results_sender(app: web.Application) -> AsyncIterator[None]:
    http = ds.open_session()
    app[SENDER] = Sender(
        sessions=app[SESSIONS], settings=app[SETTINGS], clock=app[CLOCK],
        publish=app[HUB].publish, http=http, count=app[METRICS].count_result,
    )  # fmt: skip
    app[HUB].watch(topics.RREQ_PREFIX, app[SENDER].deliver_soon)
    yield
    app[HUB].unwatch(topics.RREQ_PREFIX)
    await app[SENDER].close()
    await http.close()
