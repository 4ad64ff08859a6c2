"""The results sender of an ACS process (a cleanup_ctx): the DS HTTP client and the
:class:`~acs.flows.results.Sender` that delivers RReqs with it.

In an HTTP worker (:func:`results_sender`) a cardholder's decision publishes
``rreq:<acsTransID>`` and its RReq leaves at once from the deciding process, not behind the
results worker's queue. The results worker (:func:`worker_sender`, in ``acs worker``) delivers
what is due: retries, and any immediate send that failed or was lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from acs.flows.results import Sender
from acs.notify import ds, topics
from acs.web.keys import CLOCK, HUB, METRICS, SENDER, SESSIONS, SETTINGS

__all__ = ["results_sender", "worker_sender"]


async def results_sender(app: web.Application) -> AsyncIterator[None]:
    """The sender of an HTTP worker: it also sends each decision's RReq at once."""
    async for _ in _sender(app, watch=True):
        yield


async def worker_sender(app: web.Application) -> AsyncIterator[None]:
    """The sender of the results worker: due rows only (the HTTP workers send at once)."""
    async for _ in _sender(app, watch=False):
        yield


async def _sender(app: web.Application, *, watch: bool) -> AsyncIterator[None]:
    http = ds.open_session()
    app[SENDER] = Sender(
        sessions=app[SESSIONS], settings=app[SETTINGS], clock=app[CLOCK],
        publish=app[HUB].publish, http=http, count=app[METRICS].count_result,
    )  # fmt: skip
    if watch:
        app[HUB].watch(topics.RREQ_PREFIX, app[SENDER].deliver_soon)
    yield
    if watch:
        app[HUB].unwatch(topics.RREQ_PREFIX)
    await app[SENDER].close()
    await http.close()
