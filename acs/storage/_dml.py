"""Running an UPDATE or DELETE and learning how many rows it changed.

A conditional UPDATE is how a decision happens once: its row count tells the caller whether it
won (``AsyncSession.execute`` is typed as returning a plain ``Result``; DML gives a cursor one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["execute_counted"]


async def execute_counted(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> int:
    """Run ``statement``; the number of rows it matched."""
    result = await session.execute(statement, params)
    return cast("CursorResult[Any]", result).rowcount or 0
