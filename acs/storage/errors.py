"""The storage error family; callers never see a SQLAlchemy exception."""

from __future__ import annotations

__all__ = ["Conflict", "NotFound", "StorageError"]


class StorageError(Exception):
    """Base of every error raised by :mod:`acs.storage`."""


class NotFound(StorageError):
    """A row that must exist does not; ``what`` names it (never a PAN)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not found: {what}")
        self.what = what


class Conflict(StorageError):
    """A uniqueness rule refused the write; retrying the unit of work may succeed."""
