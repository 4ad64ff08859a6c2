"""The public surface of the Sécur'Pass core, pinned (house habit 15)."""

from __future__ import annotations

import importlib

import pytest

EXPORTS = {
    "acs.securpass.errors": {
        "ActivationCodeRejected",
        "AnswerRejected",
        "DeviceUnusable",
        "InvalidLift",
        "InvalidTransition",
        "Reason",
        "RequestRejected",
        "SecurPassError",
        "WeakCode",
    },
    "acs.securpass.eligibility": {
        "EMAIL_LATENCY",
        "ActivationChannel",
        "CardFact",
        "CardStatus",
        "CustomerKind",
        "Eligibility",
        "EligibilityFacts",
        "IdentityCheck",
        "LiftRecord",
        "Unmet",
        "check_eligibility",
        "validate_lift",
    },
    "acs.securpass.pincode": {"MAX_FAILURES", "CodeAttempts", "validate_new_code"},
    "acs.securpass.devices": {"DeviceKeys", "DeviceStatus"},
    "acs.securpass.encoding": {"b64u", "b64u_decode", "canonical_json", "sha256_b64u"},
    "acs.securpass.signing": {
        "DEVICE_HEADER",
        "NONCE_HEADER",
        "SIGNATURE_HEADER",
        "SKEW",
        "TIMESTAMP_HEADER",
        "VerifiedRequest",
        "canonical_request",
        "read_device_id",
        "verify_signed_request",
    },
    "acs.securpass.answers": {
        "ANSWER_PURPOSE",
        "Answer",
        "Approval",
        "ApprovalMethod",
        "Decision",
        "Refusal",
        "RefusalReason",
        "answer_from_wire",
    },
    "acs.securpass.operations": {
        "NONCE_BYTES",
        "OperationChallenge",
        "OperationState",
        "OperationStatus",
        "OperationSummary",
        "OperationType",
        "VerifiedAnswer",
        "begin_operation",
        "conclude",
        "format_time",
        "verify_answer",
    },
    "acs.securpass.enrolment": {
        "ACTIVATION_CODE_DIGITS",
        "ACTIVATION_CODE_TTL",
        "ACTIVATION_MAX_ATTEMPTS",
        "BRANCH_WINDOW",
        "SELFCARE_WINDOW",
        "ActivationTicket",
        "BiometricPurpose",
        "Biometrics",
        "Enrolment",
        "EnrolmentChange",
        "EnrolmentChannel",
        "EnrolmentState",
        "SaleChannel",
        "activate",
        "check_activation_code",
        "close",
        "expire",
        "initiate_branch",
        "initiate_selfcare",
        "issue_activation_code",
        "lock",
        "set_biometrics",
    },
    "acs.crypto.device": {
        "BadSignature",
        "DeviceKeyError",
        "InvalidDeviceKey",
        "PublicKey",
        "jwk_thumbprint",
        "load_public_jwk",
        "public_jwk",
        "verify_es256",
    },
    "acs.crypto.codes": {
        "CODE_ALG",
        "CODE_ENC",
        "CodeCryptoError",
        "DecryptionFailed",
        "MalformedVerifier",
        "check_code",
        "code_key_public_jwk",
        "decrypt_code",
        "enrolment_context",
        "make_verifier",
        "operation_context",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPORTS))
def test_all_is_pinned(module_name: str) -> None:
    """Each module exports exactly the names the protocol document describes."""
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPORTS[module_name]
    for name in module.__all__:
        assert hasattr(module, name)


def test_error_family_is_one_tree() -> None:
    """Every core error derives from SecurPassError and carries a Reason."""
    from acs.securpass import errors

    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, errors.SecurPassError)


def test_every_reason_is_documented() -> None:
    """Each wire reason appears in the protocol document's error tree."""
    from pathlib import Path

    from acs.securpass.errors import Reason

    doc = (Path(__file__).parents[2] / "docs" / "securpass-protocol.md").read_text("utf-8")
    assert [r.value for r in Reason if r.value not in doc] == []
