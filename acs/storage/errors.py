"""The storage error family; callers never see a SQLAlchemy exception."""

from __future__ import annotations

__all__ = ["Conflict", "StorageError"]


class StorageError(Exception):
    """Base of every error raised by :mod:`acs.storage`."""


class Conflict(StorageError):
    """A uniqueness rule refused the write; retrying the unit of work may succeed."""
