"""Sécur'Pass protects more than card payments (SP-1 … SP-6): every operation type goes through
the same operations API, is shown and signed on the phone, and approved or refused there."""

from __future__ import annotations

import pytest

from acs.flows.securpass.operations import get_outcome
from acs.securpass.operations import OperationSummary, OperationType, format_time
from acs.web.keys import SESSIONS
from tests.securpass_api.conftest import CAMILLE, CODE

# (type, rule, payee, amount in cents): what the bank's other channels would ask for.
OPERATIONS = [
    (OperationType.LOGIN, "SP-1", "Banque à distance Banxo", 0),
    (OperationType.TRANSFER, "SP-2/SP-6", "Paul Durand (FR76 •••• 0427)", 25000),
    (OperationType.ADD_BENEFICIARY, "SP-6", "Paul Durand (FR76 •••• 0427)", 0),
    (OperationType.CARD_LIMIT_INCREASE, "SP-6", "Plafond carte •••• 0014", 200000),
    (OperationType.VIEW_CARD_PIN, "SP-6", "Code secret carte •••• 0014", 0),
    (OperationType.CARDLESS_WITHDRAWAL, "SP-6", "SM@RT'retrait", 6000),
    (OperationType.WALLET_ENROLMENT, "SP-6", "Apple Pay", 0),
    (OperationType.CONTACT_CHANGE, "SP-6", "Nouvelle adresse postale", 0),
    (OperationType.E_SIGNATURE, "SP-3", "Contrat assurance habitation (VAD)", 0),
    (OperationType.PIS_PAYMENT, "SP-5", "boutique-exemple.fr (virement)", 8990),
]


@pytest.mark.parametrize(("kind", "rule", "payee", "amount"), OPERATIONS, ids=lambda v: str(v))
async def test_sp1_to_sp6_operations_are_approved_on_the_phone(
    app, camille, new_operation, clock, kind, rule, payee, amount
):
    """SP-1 … SP-6: a login, a transfer, a beneficiary, a card limit, the card PIN, a card-less
    withdrawal, a wallet enrolment, an address change, an e-signature or a PIS payment is
    shown on the phone with its payee and amount, then approved with the code."""
    summary = OperationSummary(
        type=kind, amount_minor=amount, currency="978", exponent=2, payee=payee,
        card_last4="", created_at=format_time(clock.now()),
    )  # fmt: skip
    operation_id = await new_operation(CAMILLE, summary=summary, with_card=False)
    challenge = await camille.operation(operation_id)
    assert challenge["summary"]["type"] == kind.value
    assert challenge["summary"]["payee"] == payee
    result = await camille.approve_with_code(challenge, CODE)
    assert result["status"] == "approved", rule
    async with app[SESSIONS]() as session:
        assert (await get_outcome(session, operation_id)).status == "approved"


async def test_sp23_login_uses_the_login_biometrics_switch(app, camille, new_operation, clock):
    """SP-23 (b): biometrics for logging in are switched separately from payments: with login
    biometrics off, a login cannot be approved by biometrics, a payment still can."""
    login = OperationSummary(
        type=OperationType.LOGIN, amount_minor=0, currency="978", exponent=2,
        payee="Banque à distance Banxo", card_last4="", created_at=format_time(clock.now()),
    )  # fmt: skip
    await camille.set_biometrics("login", False)
    challenge = await camille.operation(
        await new_operation(CAMILLE, summary=login, with_card=False)
    )
    from merchant_simulator.phone import PhoneError

    with pytest.raises(PhoneError) as refused:
        await camille.approve_with_biometrics(challenge)
    assert refused.value.reason == "no_biometric_key"
    await camille.set_biometrics("login", True)
    assert (await camille.approve_with_biometrics(challenge))["status"] == "approved"
    payment = await camille.operation(await new_operation())
    assert (await camille.approve_with_biometrics(payment))["status"] == "approved"
