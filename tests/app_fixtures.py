"""App-level fixtures: the real ACS app over the real (migrated) test database.

Builds on ``database_url``, ``clock`` from conftest.py and ``identity_provider`` from
tests/tokens.py. Only the network edge is faked.
"""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from acs.config import Settings
from acs.crypto.keys import KeyRing, init_keys
from acs.crypto.pan import PanVault
from acs.csv_columns import CARD_HEADER, CUSTOMER_COLUMNS
from acs.demo import DEMO_CARDS, DEMO_CUSTOMERS
from acs.flows.csv_import import import_csv
from acs.storage.engine import make_engine, make_sessionmaker
from acs.web import create_app
from tests.challenge.fake_ds import FakeDS
from tests.tokens import TestIdentityProvider

BASE_URL = "https://acs.test"


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    init_keys(folder, Settings().card_ranges)
    return folder


@pytest.fixture
def settings(
    database_url: str, keys_dir: Path, identity_provider: TestIdentityProvider
) -> Settings:
    """The ACS's settings: the test database and keys, the test identity provider."""
    return Settings(
        database_url=database_url,
        keys_dir=str(keys_dir),
        public_base_url=BASE_URL,
        identity_provider=identity_provider.settings,
    )


@pytest.fixture
def keyring(settings: Settings) -> KeyRing:
    return KeyRing.load(settings.keys_dir)


@pytest.fixture
def app_vault(keyring: KeyRing) -> PanVault:
    return PanVault(keyring.pan_hmac, keyring.pan_keys, keyring.pan_active_kid)


@pytest.fixture
async def client(aiohttp_client, settings, keyring, clock):
    """An HTTP client on the real ACS app."""
    return await aiohttp_client(create_app(settings, keys=keyring, clock=clock))


Loader = Callable[[str, Sequence[Sequence[str]]], Awaitable[object]]


@pytest.fixture
async def load(settings: Settings, app_vault: PanVault, clock, tmp_path: Path) -> Loader:
    """Import CSV rows (customers or cards) through the real importer."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)

    async def _load(kind: str, rows: Sequence[Sequence[str]]):
        path = tmp_path / f"{kind}-{len(rows)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CUSTOMER_COLUMNS if kind == "customers" else CARD_HEADER)
            writer.writerows(rows)
        summary = await import_csv(
            kind,
            path,
            sessions=sessions,
            vault=app_vault,
            skip_invalid=False,
            progress=None,
            now=clock.now(),
        )
        assert not summary.errors, summary.errors
        return summary

    yield _load
    await engine.dispose()


@pytest.fixture
async def demo_data(load: Loader) -> None:
    """The demo customers and cards (README table), loaded through the importer."""
    await load("customers", DEMO_CUSTOMERS)
    await load("cards", [[getattr(c, f) for f in CARD_HEADER] for c in DEMO_CARDS])


@pytest.fixture
async def fake_ds():
    """A fake Directory Server (a real aiohttp app on port 0) that answers RReqs."""
    ds = FakeDS()
    await ds.start()
    yield ds
    await ds.close()
