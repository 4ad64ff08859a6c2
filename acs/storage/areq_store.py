"""What an AReq reads and writes, behind one small interface with two implementations.

The AReq is the hot path: a Directory Server waits for it, at a bank's peak thousands a second.
It reads the card view and, for a browser with 3DS Method data, the fingerprint and whether the
customer knows it; it writes the transaction (with, for a low-value exemption, the claim of one
more slot, or nothing at all if the slot is gone) or, for C/D, the transaction and its challenge.

- :class:`SessionStore` runs all of it in the caller's session transaction, through SQLAlchemy:
  the portable implementation (SQLite, the embedded default) and the reference for the other.
- :class:`AsyncpgStore` (PostgreSQL) runs the same Core statements, compiled once for asyncpg,
  as prepared statements on the pooled connection itself, in autocommit: the reads need no
  transaction, and a frictionless write is one statement (a CTE claims the slot and inserts the
  transaction, or inserts nothing). Through SQLAlchemy's asyncio layer each statement costs
  several times its SQL, and a transaction adds BEGIN and COMMIT round trips; this path is why
  a PostgreSQL worker answers several times more AReqs per second. C/D answers, a minority,
  still write through a session (on the same connection), as every other flow does.

Open one with :meth:`AReqStores.open` per AReq.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Executable, bindparam, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from acs.storage import cards, method_data, transactions
from acs.storage.cards import CardView, LowValueClaim
from acs.storage.errors import Conflict
from acs.storage.models import Card, Transaction

__all__ = ["AReqStore", "AReqStores", "AsyncpgStore", "SessionStore"]


class AReqStore(Protocol):
    async def card_view(self, pan_hmac: bytes) -> CardView | None: ...

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None: ...

    async def browser_known(self, customer_id: str, fingerprint: str) -> bool: ...

    async def prior(self, acs_trans_id: str) -> tuple[int | None, str | None] | None: ...

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        """Store a transaction row (every column); with a claim, only if the claim is granted.

        False: the card's low-value slot is gone (a concurrent AReq took it), nothing stored.
        """
        ...

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session whose writes commit together (for a C/D transaction and its challenge)."""
        ...


class SessionStore:
    """Everything in the caller's session, already inside its transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def card_view(self, pan_hmac: bytes) -> CardView | None:
        return await cards.areq_view(self._session, pan_hmac)

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None:
        live = await method_data.get_live(self._session, run_id, now)
        return live and live.fingerprint

    async def browser_known(self, customer_id: str, fingerprint: str) -> bool:
        return await method_data.browser_known(self._session, customer_id, fingerprint)

    async def prior(self, acs_trans_id: str) -> tuple[int | None, str | None] | None:
        return await transactions.prior(self._session, acs_trans_id)

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        if claim is not None and not await cards.claim_low_value(self._session, claim):
            return False
        await transactions.add(self._session, **row)
        return True

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        yield self._session


@dataclass(frozen=True)
class _Prepared:
    """A Core statement compiled for asyncpg: its SQL, and how to turn named parameters into
    positional arguments (defaults and SQLAlchemy's bind processors applied, as it would)."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    defaults: Mapping[str, Any]

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect) -> _Prepared:
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        return cls(str(compiled), names, processors, dict(compiled.params))

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = params[name] if name in params else self.defaults[name]
            values.append(process(value) if process is not None and value is not None else value)
        return values


def _insert_if_claimed(limit: str) -> Executable:
    """One statement: claim the low-value slot; insert the transaction only if it was granted."""
    claim = cards.CLAIM_LOW_VALUE[limit].returning(Card.id).cte("claim")
    table = Transaction.__table__
    row = select(*(bindparam(c.key, type_=c.type) for c in table.c)).select_from(claim)
    return insert(table).from_select(list(table.c.keys()), row).returning(table.c.acs_trans_id)


@dataclass(frozen=True)
class _PgStatements:
    view: _Prepared
    fingerprint: _Prepared
    known: _Prepared
    prior: _Prepared
    insert: _Prepared
    insert_if_claimed: Mapping[str, _Prepared]

    @classmethod
    def compile(cls, dialect: Dialect) -> _PgStatements:
        table = Transaction.__table__
        every_column = transactions.INSERT.values({c.key: bindparam(c.key) for c in table.c})
        return cls(
            view=_Prepared.of(cards.AREQ_VIEW_BY_HMAC, dialect),
            fingerprint=_Prepared.of(method_data.LIVE_FINGERPRINT, dialect),
            known=_Prepared.of(method_data.KNOWN_BROWSER, dialect),
            prior=_Prepared.of(transactions.PRIOR, dialect),
            insert=_Prepared.of(every_column, dialect),
            insert_if_claimed={
                limit: _Prepared.of(_insert_if_claimed(limit), dialect)
                for limit in cards.CLAIM_LOW_VALUE
            },
        )


class AsyncpgStore:
    """The AReq's statements on the pooled asyncpg connection, prepared and in autocommit."""

    def __init__(self, connection: AsyncConnection, raw: Any, statements: _PgStatements) -> None:
        self._connection, self._raw, self._sql = connection, raw, statements

    async def card_view(self, pan_hmac: bytes) -> CardView | None:
        row = await self._fetchrow(self._sql.view, {"pan_hmac": pan_hmac})
        return None if row is None else cards.card_view(row)

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None:
        row = await self._fetchrow(self._sql.fingerprint, {"run_id": run_id, "now": now})
        return None if row is None else row["fingerprint"]

    async def browser_known(self, customer_id: str, fingerprint: str) -> bool:
        params = {"customer_id": customer_id, "fingerprint": fingerprint}
        return await self._fetchrow(self._sql.known, params) is not None

    async def prior(self, acs_trans_id: str) -> tuple[int | None, str | None] | None:
        row = await self._fetchrow(self._sql.prior, {"acs_trans_id": acs_trans_id})
        return None if row is None else (row["card_id"], row["trans_status"])

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        if claim is None:
            await self._fetchrow(self._sql.insert, row)
            return True
        statement = self._sql.insert_if_claimed[claim.limit]
        return await self._fetchrow(statement, {**row, **claim.params()}) is not None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        session = AsyncSession(bind=self._connection, expire_on_commit=False)
        async with session, session.begin():
            yield session

    async def _fetchrow(self, statement: _Prepared, params: Mapping[str, Any]) -> Any:
        import asyncpg  # only installed where PostgreSQL is used

        try:
            return await self._raw.fetchrow(statement.sql, *statement.args(params))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise Conflict(f"AReq write refused: {exc.__class__.__name__}") from exc
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            # SQLAlchemy did not see this failure: tell its pool the connection is gone.
            await self._connection.invalidate()
            raise


class AReqStores:
    """Opens the right store for the engine: asyncpg on PostgreSQL, sessions elsewhere."""

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker) -> None:
        self._engine, self._sessions = engine, sessions
        dialect = engine.dialect
        self._pg = _PgStatements.compile(dialect) if dialect.driver == "asyncpg" else None

    @asynccontextmanager
    async def open(self) -> AsyncIterator[AReqStore]:
        if self._pg is None:
            async with self._sessions.begin() as session:
                yield SessionStore(session)
            return
        async with self._engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            yield AsyncpgStore(connection, raw, self._pg)
