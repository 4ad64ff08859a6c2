"""Structured logs with the transaction ids bound, written off the event loop, and a last line
of defence against PANs.

Ids are bound per request with :func:`bind` / :func:`bind_more` (a ``contextvars`` mapping;
:func:`bind_ids` takes the three of a 3-D Secure message), so every record written while a
transaction is handled carries its ``threeDSServerTransID``, ``dsTransID`` and ``acsTransID``.

:func:`configure_logging` routes the ``acs`` loggers to stderr as one JSON object per line
(``json``) or a readable line (``text``: ``acs: <message>  [ids]``), through a queue: the
calling thread only copies the record (message, ids, traceback text) into the queue, and a
listener thread masks, formats and writes it, so a slow stderr (a pipe, journald) never stalls
the event loop. The :class:`RedactingFilter` masks anything that looks like a PAN in case a
message slips one in: code must never log a PAN, a code, an OTP or a key in the first place.
"""

from __future__ import annotations

import atexit
import contextvars
import copy
import json
import logging
import logging.handlers
import queue
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

__all__ = [
    "LEVELS",
    "TRANSACTION_IDS",
    "JsonFormatter",
    "LogOptions",
    "RedactingFilter",
    "TextFormatter",
    "bind",
    "bind_ids",
    "bind_more",
    "configure_logging",
    "default_format",
    "mask_pan",
    "stop_logging",
]

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "text")
TRANSACTION_IDS = ("threeDSServerTransID", "dsTransID", "acsTransID")

_ids: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "acs_log_ids", default=MappingProxyType({})
)
_PAN_LIKE = re.compile(r"(?<!\d)(\d{6})(\d{3,9})(\d{4})(?!\d)")
_MAX_ID = 64  # a transaction id is a 36-character UUID; anything longer is not logged


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


def bind_ids(message: Any) -> None:
    """Bind the transaction ids a 3-D Secure message carries (strings of id length only: a
    message may be hostile)."""
    if isinstance(message, Mapping):
        found = {k: v for k in TRANSACTION_IDS if isinstance(v := message.get(k), str)}
        bind_more(**{k: v for k, v in found.items() if len(v) <= _MAX_ID})


def _masked(text: str) -> str:
    return _PAN_LIKE.sub(lambda m: mask_pan(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """Attach the bound ids (unless the queue already did, in the logging thread) and mask
    PAN-like digit runs in the final message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "ids"):
            record.ids = _ids.get()
        message = record.getMessage()
        if _PAN_LIKE.search(message):
            record.msg = _masked(message)
            record.args = None
        if record.exc_text and _PAN_LIKE.search(record.exc_text):
            record.exc_text = _masked(record.exc_text)
        return True


def _exception_text(record: logging.LogRecord, formatter: logging.Formatter) -> str | None:
    if record.exc_text:
        return record.exc_text
    return formatter.formatException(record.exc_info) if record.exc_info else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``at``, ``level``, ``logger``, ``msg``, the ids, ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "ids", {}),
        }
        exc = _exception_text(record, self)
        if exc:
            entry["exc"] = exc
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``acs: <message>`` (``acs: warning: …`` at warning), the ids in brackets, then any
    traceback: for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        tag = "warning: " if record.levelno == logging.WARNING else ""
        ids = getattr(record, "ids", {})
        bound = "  [" + " ".join(f"{k}={v}" for k, v in ids.items()) + "]" if ids else ""
        line = f"acs: {tag}{record.getMessage()}{bound}"
        exc = _exception_text(record, self)
        return f"{line}\n{exc}" if exc else line


class _QueueHandler(logging.handlers.QueueHandler):
    """Copies a record into the queue with what only the caller knows: the final message, the
    bound ids (a context variable) and the traceback as text."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        ready = copy.copy(record)
        ready.msg, ready.args = record.getMessage(), None
        ready.ids = _ids.get()
        if record.exc_info:
            ready.exc_text = _TRACEBACKS.formatException(record.exc_info)
            ready.exc_info = None
        ready.stack_info = None
        return ready


_TRACEBACKS = logging.Formatter()


@dataclass(frozen=True)
class LogOptions:
    """How a process logs: the ``log_level`` setting and ``--log-format``."""

    level: str = "INFO"
    format: str = "json"


def default_format() -> str:
    """``text`` on a terminal, else ``json`` (a service manager, a pipe, a file)."""
    return "text" if sys.stderr.isatty() else "json"


_listener: logging.handlers.QueueListener | None = None


def configure_logging(
    options: LogOptions | str = "INFO", *, json_lines: bool = True, stream: TextIO | None = None
) -> None:
    """Route the ``acs`` loggers to ``stream`` (stderr) through the logging thread."""
    global _listener
    if isinstance(options, str):
        options = LogOptions(options, "json" if json_lines else "text")
    stop_logging()
    writer = logging.StreamHandler(stream or sys.stderr)
    writer.addFilter(RedactingFilter())
    writer.setFormatter(JsonFormatter() if options.format == "json" else TextFormatter())
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _listener = logging.handlers.QueueListener(records, writer)
    _listener.start()
    root = logging.getLogger("acs")
    root.handlers[:] = [_QueueHandler(records)]
    root.setLevel(options.level.upper())
    root.propagate = False


def stop_logging() -> None:
    """Write what is queued, stop the logging thread and hand the ``acs`` loggers back to the
    root logger (at exit, before reconfiguring, after a command run in-process)."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None
        root = logging.getLogger("acs")
        root.handlers[:] = []
        root.propagate = True


atexit.register(stop_logging)
