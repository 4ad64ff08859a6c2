"""Challenge fixtures: a fake DS on port 0, the app's client wired to it, AReq helpers."""

from __future__ import annotations

import pytest

from tests.challenge.fake_ds import FakeDS


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every challenge test runs with the demo customers and cards."""


@pytest.fixture
async def fake_ds():
    ds = FakeDS()
    await ds.start()
    yield ds
    await ds.close()


CAMILLE, CAMILLE_MOBILE, CODE = "C0001", "+33612345678", "4826"


@pytest.fixture
def make_phone(client, clock, tmp_path):
    """A new Banxo phone (fresh keys) talking HTTP to the ACS, signing with the test clock."""
    from merchant_simulator.phone import Phone, PhoneKeys

    count = 0

    def _make(*, biometric: bool = False):
        nonlocal count
        count += 1
        return Phone(
            PhoneKeys.generate(biometric=biometric),
            base_url=str(client.make_url("")),
            session=client.session,
            key_file=tmp_path / f"phone-{count}.json",
            clock=lambda: clock.now().timestamp(),
        )

    return _make


@pytest.fixture
async def camille(make_phone):
    """Camille's phone, enrolled in self-care with code 4826 and biometrics for payments."""
    phone = make_phone(biometric=True)
    await phone.activate_selfcare(
        CAMILLE, CAMILLE_MOBILE, CODE, biometrics={"payments": True, "login": False}
    )
    return phone
