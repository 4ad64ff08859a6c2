"""Migrations are code with tests: one head, no drift from the models, a clean round trip."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from acs.storage.engine import alembic_config, downgrade, make_engine, upgrade
from acs.storage.models import Base


async def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def test_single_head(empty_database_url: str) -> None:
    """The migration history has exactly one head."""
    script = ScriptDirectory.from_config(alembic_config(empty_database_url))
    assert len(script.get_heads()) == 1


def test_initial_revision_is_0001() -> None:
    """The initial migration keeps the id 0001 that later migrations build on."""
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    base = script.get_base()
    assert base == "0001"
    assert script.get_revision(base).module.__file__.endswith(
        "0001_initial_" + "customers_cards_ranges_transactions_audit.py"
    )


async def test_upgrade_matches_models(empty_database_url: str) -> None:
    """After upgrading an empty database to head, the models and the schema agree."""
    await upgrade(empty_database_url)
    assert await _diff(empty_database_url) == []


async def test_downgrade_then_upgrade_round_trips(empty_database_url: str) -> None:
    """Down to base leaves no table; up again gives the same schema as the models."""
    await upgrade(empty_database_url)
    await downgrade(empty_database_url, "base")
    assert await _tables(empty_database_url) == set()
    await upgrade(empty_database_url)
    assert await _tables(empty_database_url) == set(Base.metadata.tables)
    assert await _diff(empty_database_url) == []


async def test_fixture_database_is_migrated_and_empty(database_url: str) -> None:
    """The shared ``database_url`` fixture gives a migrated database with every table present."""
    assert await _tables(database_url) == set(Base.metadata.tables)


async def test_0004_keeps_the_old_global_chain_verifiable(empty_database_url: str) -> None:
    """Events chained globally before 0004 keep verifying as chain "" after the upgrade, next
    to the new per-subject chains."""
    from datetime import UTC, datetime

    from acs.storage import audit
    from acs.storage.engine import make_sessionmaker

    at = datetime(2026, 11, 1, tzinfo=UTC)
    await upgrade(empty_database_url, "0003")
    engine = make_engine(empty_database_url)
    try:
        prev, rows = audit.GENESIS, []
        for subject in ("customer:A", "customer:B"):  # one chain across subjects, as before
            fields = {"at": at, "actor": "x", "action": "y", "subject": subject, "detail": {}}
            digest = audit.event_hash(prev, **fields)
            rows.append({**fields, "detail": "{}", "prev_hash": prev, "hash": digest})
            prev = digest
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO audit_events (at, actor, action, subject, detail, prev_hash, hash)"
                    " VALUES (:at, :actor, :action, :subject, :detail, :prev_hash, :hash)"
                ),
                [{**r, "at": r["at"] if "postgresql" in empty_database_url else
                  r["at"].replace(tzinfo=None).isoformat(sep=" ")} for r in rows],
            )  # fmt: skip
        await engine.dispose()
        await upgrade(empty_database_url)
        sessions = make_sessionmaker(engine)
        async with sessions.begin() as session:
            await audit.append_audit(
                session, at=at, actor="x", action="y", subject="customer:A", detail={"n": 1}
            )
        async with sessions() as session:
            assert await audit.verify_chain(session) is None
            chains = (await session.execute(text("SELECT chain FROM audit_events"))).scalars()
            assert sorted(chains) == ["", "", "customer:A"]
    finally:
        await engine.dispose()
