"""What the DS remembers per transaction: where to relay the RReq (in memory: a simulator)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Directory", "Route"]


@dataclass(frozen=True)
class Route:
    """The 3DS Server behind one transaction, as learnt from its AReq."""

    three_ds_server_trans_id: str
    ds_trans_id: str
    three_ds_server_url: str
    message_version: str


class Directory:
    """Routes keyed by threeDSServerTransID."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}

    def remember(self, route: Route) -> None:
        self._routes[route.three_ds_server_trans_id] = route

    def find(self, three_ds_server_trans_id: object) -> Route | None:
        if not isinstance(three_ds_server_trans_id, str):
            return None
        return self._routes.get(three_ds_server_trans_id)
