"""Test phones, built one way for every test: keys, the server's view of them, phones over HTTP.

The Banxo phone of the tests is the merchant simulator's (``merchant_simulator.phone``), so the
tests exercise the device protocol exactly as a real client speaks it. The fixtures here are
imported by the conftest files that need them (``from tests.phones import …``):

- ``phone``: keys only (possession and biometric, device id ``dev-1``), for the pure core tests;
- ``make_phone``: a factory of new phones talking HTTP to the ``client`` app, logged in for a
  customer (Camille by default) at the test identity provider;
- ``camille``: Camille's phone, activated in self-care as ``acs demo`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from acs.clock import FrozenClock
from acs.crypto.device import load_public_jwk
from acs.demo import CAMILLE as DEMO_CAMILLE
from acs.demo import CAMILLE_CODE
from acs.securpass.devices import DeviceKeys
from merchant_simulator.phone import Phone, PhoneKeys

CAMILLE, CAMILLE_MOBILE = DEMO_CAMILLE
CODE = CAMILLE_CODE
PUSH_TOKEN = "push-tok"


def signing_clock(clock: FrozenClock) -> Callable[[], float]:
    """The phone's clock (UNIX seconds) read from the test's frozen clock."""
    return lambda: clock.now().timestamp()


def http_phone(
    client: TestClient,
    clock: FrozenClock,
    *,
    keys: PhoneKeys | None = None,
    biometric: bool = False,
    **options: Any,
) -> Phone:
    """A phone with ``keys`` (fresh ones by default) calling the ACS behind ``client``."""
    return Phone(
        PhoneKeys.generate(biometric=biometric) if keys is None else keys,
        base_url=str(client.make_url("")),
        session=client.session,
        clock=signing_clock(clock),
        **options,
    )


def device_of(phone: PhoneKeys, *, last_counter: int = 0, **changes: Any) -> DeviceKeys:
    """The server's view of ``phone``, as activation would have stored it."""
    bio = phone.biometric_jwk()
    fields = {
        "device_id": phone.device_id,
        "possession_key": load_public_jwk(phone.possession_jwk()),
        "biometric_key": None if bio is None else load_public_jwk(bio),
        "last_counter": last_counter,
    }
    return DeviceKeys(**(fields | changes))


@pytest.fixture
def phone() -> PhoneKeys:
    """A phone's keys, biometric one included, registered as device ``dev-1``."""
    keys = PhoneKeys.generate(biometric=True)
    keys.device_id = "dev-1"
    return keys


@pytest.fixture
def make_phone(client, clock, tmp_path, identity_provider) -> Callable[..., Phone]:
    """A new phone (fresh keys, saved under ``tmp_path``) talking HTTP to the ACS, its app
    logged in as ``customer``."""
    count = 0

    def _make(
        customer: str = CAMILLE, *, biometric: bool = False, push_token: str | None = PUSH_TOKEN
    ) -> Phone:
        nonlocal count
        count += 1
        key_file = tmp_path / f"phone-{count}.json"
        return http_phone(
            client, clock, biometric=biometric, key_file=key_file, push_token=push_token,
            tokens=identity_provider.source(customer),
        )  # fmt: skip

    return _make


@pytest.fixture
async def camille(demo_data, make_phone) -> Phone:
    """Camille's phone, activated in self-care with code 4826 and biometrics for payments."""
    phone = make_phone(biometric=True)
    await phone.activate_selfcare(
        CAMILLE_MOBILE, CODE, biometrics={"payments": True, "login": False}
    )
    return phone
