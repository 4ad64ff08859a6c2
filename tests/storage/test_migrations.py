"""Migrations are code with tests: one head, no drift from the models, a clean round trip."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

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
