"""The result of a transaction as the 3DS Server API reports it to the merchant."""

from __future__ import annotations

from typing import Any

from merchant_simulator.threeds_server.state import Transaction

__all__ = ["outcome"]

_PROOF = (
    "eci", "authenticationValue", "transStatusReason", "challengeCancel", "acsTransID",
    "authenticationType", "authenticationMethod",
)  # fmt: skip


def outcome(transaction: Transaction) -> dict[str, Any]:
    """``status`` is ``pending``, ``challenge``, ``done`` or ``error``.

    After a challenge the RReq is authoritative (it carries the proof); the final CRes is used
    while the RReq has not arrived.
    """
    base = {
        "threeDSServerTransID": transaction.trans_id,
        "messageVersion": transaction.version,
        "threeDSCompInd": transaction.comp_ind,
        "challenged": transaction.challenged,
        "challengeIndicator": transaction.challenge_ind,
    }
    if transaction.erro is not None:
        return {**base, "status": "error", **_error(transaction.erro)}
    final = _final_message(transaction)
    if final is None:
        return {**base, "status": "challenge" if transaction.challenged else "pending"}
    details = {k: final[k] for k in _PROOF if k in final}
    return {**base, "status": "done", "transStatus": final.get("transStatus"), **details}


def _final_message(transaction: Transaction) -> dict[str, Any] | None:
    if transaction.rreq is not None:
        return dict(transaction.rreq)
    if transaction.cres is not None:
        return dict(transaction.cres)
    if transaction.ares is not None and not transaction.challenged:
        return dict(transaction.ares)
    return None


def _error(erro: Any) -> dict[str, Any]:
    keys = ("errorCode", "errorComponent", "errorDescription", "errorDetail")
    return {k: erro.get(k) for k in keys if k in erro}
