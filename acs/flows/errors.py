"""Errors from below the flows that reach the adapters as they are: the web maps them to answers
without importing the storage layer.

- :class:`Conflict` (storage): a concurrent write won a uniqueness rule; the client retries.
"""

from __future__ import annotations

from acs.storage.errors import Conflict

__all__ = ["Conflict"]
