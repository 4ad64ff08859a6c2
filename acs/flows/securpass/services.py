"""What the phone's code-bearing calls (activation, code change, answer) run with, besides the
call itself: one value the web layer builds once per request."""

from __future__ import annotations

from dataclasses import dataclass

from acs.crypto.keys import KeyRing
from acs.flows.securpass.operations import OperationHooks
from acs.notify.hub import Hub
from acs.storage.engine import Sessions

__all__ = ["PhoneServices"]


@dataclass(frozen=True)
class PhoneServices:
    """The database, the keys (codes, activation, pepper), the hooks of decided operations and
    the hub whose keys are published after commit."""

    sessions: Sessions
    keys: KeyRing
    hooks: OperationHooks
    hub: Hub
