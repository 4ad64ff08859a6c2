"""The names of the hub's topics (:mod:`acs.notify.hub`): one function per kind of thing that
changes, so that the publisher and the waiter cannot spell a key differently.

A topic carries no data: whoever wakes re-reads the database.
"""

from __future__ import annotations

__all__ = [
    "BANKING_CALLBACKS",
    "OUTBOX",
    "RREQ_PREFIX",
    "banking",
    "challenge",
    "device",
    "operation",
    "rreq",
]

OUTBOX = "outbox"  # the results outbox has work: the sender looks again
RREQ_PREFIX = "rreq:"  # what the results sender watches (Hub.watch) to send an RReq at once
BANKING_CALLBACKS = "banking-callbacks"  # a banking callback is due: its sender looks again


def operation(operation_id: str) -> str:
    """A Sécur'Pass operation was decided (approved, refused, cancelled, expired, failed)."""
    return f"operation:{operation_id}"


def device(device_id: str) -> str:
    """Something changed for a phone: a new operation, revoked, blocked."""
    return f"device:{device_id}"


def challenge(acs_trans_id: str) -> str:
    """A challenge changed state (decided, RRes in): its waiting page looks again."""
    return f"challenge:{acs_trans_id}"


def rreq(acs_trans_id: str) -> str:
    """This process's sender sends this transaction's RReq now (watched by prefix)."""
    return f"{RREQ_PREFIX}{acs_trans_id}"


def banking(operation_id: str) -> str:
    """A banking operation (``/banking/v1``) was decided: its status long-poll looks again."""
    return f"banking:{operation_id}"
