"""The bank's own settings: which types an SMS code may approve, and whether a fraud
declaration asks it to block the account."""

from __future__ import annotations

import pytest

from acs.config import Banking
from tests.banking.conftest import IBAN, LOUIS_ID, SECRET, VALID, wait_status


@pytest.fixture
def banking_settings(bank) -> Banking:
    """Transfers are Sécur'Pass or nothing at this bank; a fraud declaration blocks."""
    sms = tuple(t for t in Banking().sms_types if t != "add_beneficiary")
    return Banking(callback_urls=(bank.prefix,), callback_secret=SECRET, sms_types=sms,
                   refusal_blocks_account=True)  # fmt: skip


async def test_a_type_the_bank_does_not_allow_by_sms_is_refused(api, demo_data):
    """A type missing from ``[banking] sms_types`` is refused to a customer without Sécur'Pass."""
    refused = await api.create("add_beneficiary", LOUIS_ID, expect=403, name="Paul", iban=IBAN)
    assert refused["error"] == "no_method_available"


async def test_the_bank_setting_asks_to_block_the_account_on_fraud(api, camille):
    """With ``refusal_blocks_account`` the fraud declaration carries block_account."""
    created = await api.create("transfer", **VALID["transfer"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    await camille.refuse(challenge, "not_me")
    view = await wait_status(api, created["operation_id"], "refused")
    assert view["fraud_declared"] is True and view["block_account"] is True
