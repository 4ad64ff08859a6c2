"""A database outage as the requests see it: one line when it starts, one when it ends."""

from __future__ import annotations

import logging

__all__ = ["OutageLog"]

log = logging.getLogger("acs.web")


class OutageLog:
    """One line per change of state of the database as the requests see it."""

    def __init__(self) -> None:
        self.down = False

    def failed(self, where: str, incident: str, exc: Exception) -> None:
        if self.down:
            log.debug("%s failed on the database, incident %s", where, incident)
            return
        self.down = True
        log.error(
            "database unreachable (%s) on %s, incident %s: requests get a system failure"
            " until it answers", type(exc).__name__, where, incident,
        )  # fmt: skip

    def answered(self) -> None:
        self.down = False
        log.warning("database back: requests are answered again")
