"""What an AReq reads and writes, behind one small interface with three implementations.

The AReq is the hot path: a Directory Server waits for it, at a bank's peak thousands a second.
It reads the card view and, for a browser with 3DS Method data, the fingerprint and whether the
customer knows it; it writes the transaction (with, for a low-value exemption, the claim of one
more slot, or nothing at all if the slot is gone) or, for C/D, the transaction and its challenge.

The statements are written once, as SQLAlchemy Core (in ``cards``, ``method_data``,
``transactions``), and compiled once per dialect. Through SQLAlchemy's asyncio layer each
statement cost several times its SQL, so the driver stores run them on the pooled connection's
driver itself:

- :class:`AsyncpgStore` (PostgreSQL): asyncpg prepared statements in autocommit; the reads need
  no transaction, and a frictionless write is one statement (a CTE claims the slot and inserts
  the transaction, or inserts nothing);
- :class:`SqliteStore` (SQLite through aiosqlite): one call, so one hop to aiosqlite's thread,
  per statement (SQLAlchemy's adapter makes about four); the write is claim, insert, commit in
  one hop;
- :class:`SessionStore`: the same through a SQLAlchemy session, for any other driver; a test
  keeps it and the driver stores in agreement.

C/D answers, a minority, write through a session on the same connection, as every other flow
does.

Open one with :meth:`AReqStores.open` per AReq.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import ClauseElement, Insert, Select, bindparam, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler

from acs.storage import cards, method_data, transactions
from acs.storage.cards import CardView, LowValueClaim
from acs.storage.challenge_models import KnownBrowserRow
from acs.storage.engine import abort_driver_connection
from acs.storage.errors import Conflict
from acs.storage.models import Card, Transaction

__all__ = ["AReqStore", "AReqStores", "AsyncpgStore", "SessionStore", "SqliteStore"]


class AReqStore(Protocol):
    async def card_view(
        self, pan_hmac: bytes, *, method_run: tuple[str, datetime] | None = None
    ) -> CardView | None:
        """The card's view; with ``method_run`` (the 3DS Method run id and now) a driver store
        reads that run's fingerprint and whether the customer knows it in the same statement,
        and answers the :meth:`method_fingerprint` and :meth:`browser_known` that follow
        without a round trip."""
        ...

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

    async def card_view(
        self, pan_hmac: bytes, *, method_run: tuple[str, datetime] | None = None
    ) -> CardView | None:
        return await cards.areq_view(self._session, pan_hmac)

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None:
        return await method_data.get_live(self._session, run_id, now)

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
        # A savepoint: a unit of work that fails (over the operation limits) leaves nothing in
        # the caller's transaction, as the driver stores' own transaction does.
        async with self._session.begin_nested():
            yield self._session


@dataclass(frozen=True)
class _Prepared:
    """A Core statement compiled for the driver: its SQL, how to turn named parameters into
    positional arguments, and a returned row into a dict, with SQLAlchemy's bind and result
    processors applied as it would (a UTC datetime on SQLite, JSON text, enum values)."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    defaults: Mapping[str, Any]
    columns: tuple[str, ...] = ()
    results: tuple[Callable[[Any], Any] | None, ...] = ()

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> _Prepared:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))  # a SQL statement
        names = tuple(compiled.positiontup or ())
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        selected = getattr(statement, "selected_columns", ())
        return cls(
            str(compiled), names, processors, dict(compiled.params),
            columns=tuple(c.key for c in selected),
            results=tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected
            ),
        )  # fmt: skip

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = params[name] if name in params else self.defaults[name]
            values.append(process(value) if process is not None and value is not None else value)
        return values

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        """The row by column name ({} for a statement that selects nothing, e.g. RETURNING)."""
        if not self.columns:
            return {}
        return {
            name: process(value) if process is not None and value is not None else value
            for name, process, value in zip(self.columns, self.results, values, strict=True)
        }


def _insert_if_claimed(limit: str) -> Insert:
    """One statement: claim the low-value slot; insert the transaction only if it was granted."""
    claim = cards.CLAIM_LOW_VALUE[limit].returning(Card.id).cte("claim")
    table = Transaction.__table__
    row = select(*(bindparam(c.key, type_=c.type) for c in table.c)).select_from(claim)
    return insert(table).from_select(list(table.c.keys()), row).returning(table.c.acs_trans_id)


def _view_with_method() -> Select[Any]:
    """The card view plus, as two more columns, the live fingerprint of a 3DS Method run and
    whether the card's customer knows it: one round trip where three were."""
    fingerprint = method_data.LIVE_FINGERPRINT.scalar_subquery()
    known = (
        select(KnownBrowserRow.fingerprint)
        .where(KnownBrowserRow.customer_id == Card.customer_id)
        .where(KnownBrowserRow.fingerprint == fingerprint)
        .exists()
    )
    return cards.AREQ_VIEW_BY_HMAC.add_columns(
        fingerprint.label("method_fingerprint"), known.label("browser_known")
    )


_VIEW_WITH_METHOD = _view_with_method()


@dataclass(frozen=True)
class _Statements:
    """The AReq's statements for one dialect. PostgreSQL claims and inserts in one statement;
    SQLite (no UPDATE inside WITH) claims with UPDATE … RETURNING, then inserts."""

    view: _Prepared
    view_with_method: _Prepared
    fingerprint: _Prepared
    known: _Prepared
    prior: _Prepared
    insert: _Prepared
    claim: Mapping[str, _Prepared]

    @classmethod
    def compile(cls, dialect: Dialect) -> _Statements:
        table = Transaction.__table__
        every_column = transactions.INSERT.values({c.key: bindparam(c.key) for c in table.c})
        claim: Mapping[str, ClauseElement]
        if dialect.name == "postgresql":
            claim = {limit: _insert_if_claimed(limit) for limit in cards.CLAIM_LOW_VALUE}
        else:
            claim = {k: s.returning(Card.id) for k, s in cards.CLAIM_LOW_VALUE.items()}
        return cls(
            view=_Prepared.of(cards.AREQ_VIEW_BY_HMAC, dialect),
            view_with_method=_Prepared.of(_VIEW_WITH_METHOD, dialect),
            fingerprint=_Prepared.of(method_data.LIVE_FINGERPRINT, dialect),
            known=_Prepared.of(method_data.KNOWN_BROWSER, dialect),
            prior=_Prepared.of(transactions.PRIOR, dialect),
            insert=_Prepared.of(every_column, dialect),
            claim={limit: _Prepared.of(s, dialect) for limit, s in claim.items()},
        )


class _DriverStore:
    """The reads, on the pooled connection's driver; subclasses run statements and writes."""

    def __init__(self, connection: AsyncConnection, raw: Any, statements: _Statements) -> None:
        self._connection, self._raw, self._sql = connection, raw, statements
        self._method: tuple[str, datetime, str | None] | None = None  # read with the card
        self._known: tuple[str, str, bool] | None = None

    async def card_view(
        self, pan_hmac: bytes, *, method_run: tuple[str, datetime] | None = None
    ) -> CardView | None:
        if method_run is None:
            row = await self._fetchrow(self._sql.view, {"pan_hmac": pan_hmac})
            return None if row is None else cards.card_view(row)
        run_id, now = method_run
        params = {"pan_hmac": pan_hmac, "run_id": run_id, "now": now}
        row = await self._fetchrow(self._sql.view_with_method, params)
        if row is None:
            return None  # no card: the method data, if wanted, is read on its own
        view = cards.card_view(row)
        fingerprint = row["method_fingerprint"]
        self._method = (run_id, now, fingerprint)
        if fingerprint is not None:
            self._known = (view.customer_id, fingerprint, bool(row["browser_known"]))
        return view

    async def method_fingerprint(self, run_id: str, now: datetime) -> str | None:
        if self._method is not None and self._method[:2] == (run_id, now):
            return self._method[2]
        row = await self._fetchrow(self._sql.fingerprint, {"run_id": run_id, "now": now})
        return None if row is None else row["fingerprint"]

    async def browser_known(self, customer_id: str, fingerprint: str) -> bool:
        if self._known is not None and self._known[:2] == (customer_id, fingerprint):
            return self._known[2]
        params = {"customer_id": customer_id, "fingerprint": fingerprint}
        return await self._fetchrow(self._sql.known, params) is not None

    async def prior(self, acs_trans_id: str) -> tuple[int | None, str | None] | None:
        row = await self._fetchrow(self._sql.prior, {"acs_trans_id": acs_trans_id})
        return None if row is None else (row["card_id"], row["trans_status"])

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        session = AsyncSession(bind=self._connection, expire_on_commit=False)
        async with session, session.begin():
            yield session

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        raise NotImplementedError

    async def _fetchrow(self, statement: _Prepared, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError


class AsyncpgStore(_DriverStore):
    """PostgreSQL: asyncpg prepared statements in autocommit; a claimed write is one CTE."""

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        if claim is None:
            await self._fetchrow(self._sql.insert, row)
            return True
        statement = self._sql.claim[claim.limit]
        return await self._fetchrow(statement, {**row, **claim.params()}) is not None

    async def _fetchrow(self, statement: _Prepared, params: Mapping[str, Any]) -> Any:
        import asyncpg  # only installed where PostgreSQL is used

        try:
            found = await self._raw.fetchrow(statement.sql, *statement.args(params))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise Conflict(f"AReq write refused: {exc.__class__.__name__}") from exc
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            # SQLAlchemy did not see this failure: tell its pool the connection is gone. A
            # timeout (command_timeout) aborts the socket first, or the polite close would wait
            # the timeout out once more on a database that does not answer.
            abort_driver_connection(self._raw)
            await self._connection.invalidate()
            raise
        return None if found is None else statement.row(found)


class SqliteStore(_DriverStore):
    """SQLite through aiosqlite: one hop to its thread per statement (SQLAlchemy's adapter
    makes about four), and the write — claim, insert, commit — in a single hop. The one
    connection is this AReq's for the whole unit of work (SQLite has one writer)."""

    async def record(self, row: Mapping[str, Any], claim: LowValueClaim | None) -> bool:
        claimed = None
        if claim is not None:
            statement = self._sql.claim[claim.limit]
            claimed = (statement.sql, statement.args(claim.params()))
        written = (self._sql.insert.sql, self._sql.insert.args(row))
        try:
            # aiosqlite's own queue to its thread (``_execute``, what each of its calls uses):
            # three statements for the price of one hop, each hop a wake-up of the event loop.
            granted: bool = await self._raw._execute(_write, self._raw._conn, claimed, written)
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"AReq write refused: {exc}") from exc
        return granted

    async def _fetchrow(self, statement: _Prepared, params: Mapping[str, Any]) -> Any:
        found = await self._raw.execute_fetchall(statement.sql, statement.args(params))
        return statement.row(found[0]) if found else None


def _write(
    connection: sqlite3.Connection,
    claim: tuple[str, list[Any]] | None,
    row: tuple[str, list[Any]],
) -> bool:
    """In aiosqlite's thread: claim the slot (if asked), insert, commit; False and nothing
    stored if the slot is gone; on any failure, roll back."""
    try:
        if claim is not None and not connection.execute(*claim).fetchall():
            connection.rollback()
            return False
        connection.execute(*row)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return True


_DRIVER_STORES: Mapping[str, type[_DriverStore]] = {
    "asyncpg": AsyncpgStore,
    "aiosqlite": SqliteStore,
}


class AReqStores:
    """Opens the store for the engine's driver (asyncpg, aiosqlite); with any other driver, or
    ``portable=True``, the session store."""

    def __init__(
        self, engine: AsyncEngine, sessions: async_sessionmaker, *, portable: bool = False
    ) -> None:
        self._engine, self._sessions = engine, sessions
        dialect = engine.dialect
        self._store = None if portable else _DRIVER_STORES.get(dialect.driver)
        self._sql = _Statements.compile(dialect) if self._store else None

    @asynccontextmanager
    async def open(self) -> AsyncIterator[AReqStore]:
        if self._store is None or self._sql is None:
            async with self._sessions.begin() as session:
                yield SessionStore(session)
            return
        async with self._engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            yield self._store(connection, raw, self._sql)
