"""Structured logs with the transaction ids bound, and a last line of defence against PANs.

Ids are bound per request with :func:`bind` (a ``contextvars`` mapping), so every record written
while an AReq is processed carries its ``acsTransID``/``threeDSServerTransID``. The
:class:`RedactingFilter` masks anything that looks like a PAN in case a message slips one in:
code must never log a PAN, a code, an OTP or a key in the first place.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType

__all__ = ["RedactingFilter", "bind", "configure_logging", "mask_pan"]

_ids: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "acs_log_ids", default=MappingProxyType({})
)
_PAN_LIKE = re.compile(r"(?<!\d)(\d{6})(\d{3,9})(\d{4})(?!\d)")


def mask_pan(pan: str) -> str:
    """First six and last four digits kept (PCI DSS), the rest ``•``, in groups of four.

    >>> mask_pan("4970100000000014")
    '4970 10•• •••• 0014'
    """
    hidden = max(len(pan) - 10, 0)
    shown = pan[:6] + "•" * hidden + pan[6 + hidden :]
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


@contextmanager
def bind(**ids: str | None) -> Iterator[None]:
    """Add ids to every log record written inside the block (and in tasks it starts)."""
    token = _ids.set({**_ids.get(), **{k: v for k, v in ids.items() if v}})
    try:
        yield
    finally:
        _ids.reset(token)


def bind_more(**ids: str | None) -> None:
    """Add ids for the rest of the current context (e.g. once acsTransID is known)."""
    _ids.set({**_ids.get(), **{k: v for k, v in ids.items() if v}})


class RedactingFilter(logging.Filter):
    """Attach the bound ids and mask PAN-like digit runs in the final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.ids = _ids.get()
        message = record.getMessage()
        if _PAN_LIKE.search(message):
            record.msg = _PAN_LIKE.sub(lambda m: mask_pan(m.group(0)), message)
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "ids", {}),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Route the ``acs`` loggers to stderr, one JSON object per line (or plain text)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(message)s"))
    root = logging.getLogger("acs")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
