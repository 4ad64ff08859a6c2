"""CSV import of customers and cards (work in progress: the importer lands in the next commit)."""

from __future__ import annotations

from typing import Any

__all__ = ["import_csv"]


async def import_csv(kind: str, path: Any, **_: Any) -> Any:
    """Import a customers or cards CSV file (not yet implemented)."""
    raise NotImplementedError("import_csv lands in the next commit")
