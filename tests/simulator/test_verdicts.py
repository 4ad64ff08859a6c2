"""The shop's result pages: one per way a payment ends (merchant_simulator/shop/verdicts.py)."""

from __future__ import annotations

import pytest

from merchant_simulator.shop.verdicts import verdict

DONE = {"status": "done"}


@pytest.mark.parametrize(
    ("outcome", "kind", "title"),
    [
        ({"transStatus": "Y"}, "accepted", "Paiement accepté"),
        ({"transStatus": "Y", "challengeIndicator": "05"}, "accepted_tra", "Paiement accepté"),
        ({"transStatus": "Y", "challenged": True}, "authenticated", "Paiement accepté"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "01",
          "authenticationType": "03"}, "refused_by_you", "Paiement refusé par vous"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "01",
          "authenticationMethod": ["09"]}, "refused_by_you", "Paiement refusé par vous"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "01",
          "authenticationType": "02"}, "wrong_codes", "Code incorrect : paiement refusé"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "01",
          "authenticationMethod": ["02"]}, "wrong_codes", "Code incorrect : paiement refusé"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "26",
          "challengeCancel": "01"}, "cancelled", "Paiement annulé"),
        ({"transStatus": "N", "challenged": True, "transStatusReason": "01",
          "challengeCancel": "01"}, "cancelled", "Paiement annulé"),  # 2.1.0 has no 26
        ({"transStatus": "N", "challenged": True, "transStatusReason": "14",
          "challengeCancel": "04"}, "timed_out", "Délai dépassé"),
        ({"transStatus": "N", "transStatusReason": "11"}, "refused_by_bank",
         "Paiement refusé par votre banque"),
        ({"transStatus": "R", "transStatusReason": "13"}, "refused_by_bank",
         "Paiement refusé par votre banque"),
        ({"transStatus": "U", "transStatusReason": "22"}, "failed", "Authentification impossible"),
    ],
)  # fmt: skip
def test_each_outcome_has_its_page(outcome: dict, kind: str, title: str) -> None:
    """transStatus, reason, challengeCancel and the authentication type choose the page; each
    page says what to do next."""
    shown = verdict({**DONE, **outcome})
    assert (shown.kind, shown.title) == (kind, title)
    assert shown.advice


def test_bank_refusal_names_the_reason() -> None:
    """A refusal by the bank gives its reason in French."""
    shown = verdict({**DONE, "transStatus": "N", "transStatusReason": "05"})
    assert shown.detail == "Votre carte est expirée."


def test_an_erro_is_a_failure_with_its_cause() -> None:
    """An Erro 305 (card outside the ranges) reads as 'Paiement impossible'."""
    shown = verdict({"status": "error", "errorCode": "305"})
    assert (shown.kind, shown.title) == ("failed", "Paiement impossible")
    assert "pas prise en charge" in shown.detail
