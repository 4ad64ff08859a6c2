"""Challenge tables: challenges, results outbox, 3DS Method data (migration 0003)."""

from __future__ import annotations

from acs.storage.models import Base  # noqa: F401 - models here share the one metadata
