"""The back office's route table: each route names its :class:`~acs.auth.StaffAction`, and
:func:`staff_api` makes every call go the same way — staff token (401), role allowed for the
action by the one permission table (403 ``role_forbidden``), the handler, then the call audited
with its result (:mod:`acs.flows.staff`). Refusals are rendered by the one error path,
:func:`acs.web.securpass_errors.json_api`; the audit sits outside it, so it sees the status.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from acs.auth.staff import Staff, StaffAction, authorise
from acs.flows.staff import StaffCall, accept_staff, record_call
from acs.web.bearer import bearer_token
from acs.web.keys import CLOCK, SESSIONS, SETTINGS, TOKENS
from acs.web.securpass_errors import json_api

__all__ = ["StaffHandler", "StaffRoute", "StaffRoutes", "staff_api"]

log = logging.getLogger("acs.web.staff")

StaffHandler = Callable[[web.Request, Staff], Awaitable[web.StreamResponse]]
_STAFF = web.RequestKey("staff", Staff)


@dataclass(frozen=True)
class StaffRoute:
    """A back-office route: ``path`` holds ``{customer_id}``, the customer the call is about."""

    method: str
    path: str
    action: StaffAction
    handler: StaffHandler


class StaffRoutes:
    """A route table whose decorators name the action: ``@routes.post(path, StaffAction.X)``."""

    def __init__(self) -> None:
        self._routes: list[StaffRoute] = []

    def get(self, path: str, action: StaffAction) -> Callable[[StaffHandler], StaffHandler]:
        return self._add("GET", path, action)

    def post(self, path: str, action: StaffAction) -> Callable[[StaffHandler], StaffHandler]:
        return self._add("POST", path, action)

    def __iter__(self) -> Iterator[StaffRoute]:
        return iter(self._routes)

    @property
    def actions(self) -> Mapping[tuple[str, str], StaffAction]:
        """Each route's action by ``(method, path)``: what a test checks the table against."""
        return {(r.method, r.path): r.action for r in self._routes}

    def _add(
        self, method: str, path: str, action: StaffAction
    ) -> Callable[[StaffHandler], StaffHandler]:
        def register(handler: StaffHandler) -> StaffHandler:
            self._routes.append(StaffRoute(method, path, action, handler))
            return handler

        return register


def staff_api(routes: Iterable[StaffRoute]) -> list[web.RouteDef]:
    """aiohttp routes for ``routes``: guarded, refusals rendered, each call audited."""
    table = list(routes)
    guarded = [web.RouteDef(r.method, r.path, _guarded(r), {}) for r in table]
    return [
        web.RouteDef(d.method, d.path, _audited(d.handler, r.action), {})
        for d, r in zip(json_api(guarded, staff=True), table, strict=True)
    ]


def _guarded(route: StaffRoute) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        app = request.app
        staff = await accept_staff(
            app[SESSIONS],
            app[TOKENS],
            bearer_token(request),
            audience=app[SETTINGS].identity_provider.staff_audience,
        )
        request[_STAFF] = staff  # from here on the call is audited, whatever happens
        authorise(staff, route.action)
        return await route.handler(request, staff)

    return guarded


def _audited(handler: Handler, action: StaffAction) -> Handler:
    async def audited(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            await _record(request, action, exc.status, "http_error")
            raise
        except Exception:
            try:
                await _record(request, action, 500, "internal_error")
            except Exception:  # the original error matters more; this one is logged
                log.exception("back-office call not audited")
            raise
        await _record(request, action, response.status, _error_of(response))
        return response

    return audited


async def _record(
    request: web.Request, action: StaffAction, status: int, error: str | None
) -> None:
    staff = request.get(_STAFF)
    if staff is None:  # no verified token: nobody to attribute it to (logged by the error path)
        return
    call = StaffCall(staff, action, request.match_info["customer_id"], status, error)
    await record_call(request.app[SESSIONS], call, at=request.app[CLOCK].now())


def _error_of(response: web.StreamResponse) -> str | None:
    """The ``error`` of a refusal, as the one error path rendered it."""
    if response.status < 400:
        return None
    body = response.body if isinstance(response, web.Response) else None
    try:
        error = json.loads(body)["error"] if isinstance(body, bytes) else None
    except (ValueError, KeyError, TypeError):
        error = None
    return error if isinstance(error, str) else f"http_{response.status}"
