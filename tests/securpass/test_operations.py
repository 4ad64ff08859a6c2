"""Approving and refusing an operation: phone → server interop (SP-50 … SP-56, RTS Art. 4/5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from acs.crypto.codes import check_code, decrypt_code, make_verifier, operation_context
from acs.securpass.answers import answer_from_wire
from acs.securpass.devices import DeviceStatus
from acs.securpass.errors import AnswerRejected, Reason
from acs.securpass.operations import (
    OperationStatus,
    OperationSummary,
    OperationType,
    begin_operation,
    conclude,
    format_time,
    verify_answer,
)
from merchant_simulator.phone import (
    approve_with_biometrics,
    approve_with_code,
    read_operation,
    refuse,
    sign_answer,
    summary_hash,
)
from merchant_simulator.phone.answers import display_amount
from tests.phones import device_of

TTL = timedelta(minutes=5)


@pytest.fixture
def summary(clock) -> OperationSummary:
    """SP-50: the sheet's example, 41,99 € at showroomprive.com."""
    return OperationSummary(
        type=OperationType.CARD_PAYMENT,
        amount_minor=4199,
        currency="978",
        exponent=2,
        payee="showroomprive.com",
        card_last4="4242",
        created_at=format_time(clock.now()),
    )


@pytest.fixture
def issued(summary, clock):
    return begin_operation(summary, ttl=TTL, now=clock.now(), operation_id="op-1")


def check(answer_wire, issued, phone, clock, *, summary=None, **device_changes):
    challenge, state = issued
    expected = (summary or challenge.summary).summary_hash()
    return verify_answer(
        answer=answer_from_wire(answer_wire),
        state=state,
        expected_summary_hash=expected,
        device=device_of(phone, **device_changes),
        now=clock.now(),
    )


def rejected(reason: Reason, *args, **kwargs) -> None:
    with pytest.raises(AnswerRejected) as info:
        check(*args, **kwargs)
    assert info.value.reason == reason


def test_summary_canonical_bytes_are_stable(summary) -> None:
    """The summary's canonical JSON: sorted keys, no spaces, UTF-8."""
    assert summary.canonical_bytes() == (
        b'{"amount_minor":4199,"card_last4":"4242","created_at":"2026-11-29T09:00:00Z",'
        b'"currency":"978","exponent":2,"extra":{},"payee":"showroomprive.com",'
        b'"type":"card_payment"}'
    )


def test_phone_and_server_hash_the_summary_alike(summary) -> None:
    """RTS Art. 5: the phone recomputes the same hash from the summary it shows, non-ASCII too."""
    cafe = replace(summary, payee="Café Ébène", extra=(("iban", "FR76 •••• 1234"),))
    assert summary_hash(cafe.to_dict()) == cafe.summary_hash()
    assert "é".encode() in cafe.canonical_bytes()


def test_sp50_challenge_for_the_phone(issued, clock) -> None:
    """SP-50/52: the challenge carries the summary, a 32-byte nonce, the hash and the expiry."""
    challenge, state = issued
    wire = challenge.to_wire()
    assert read_operation(wire)["summary"]["payee"] == "showroomprive.com"
    assert display_amount(wire["summary"]) == "41,99\u00a0€"  # the phone: no-break space
    assert len(challenge.nonce) == 43 and state.nonce == challenge.nonce
    assert state.status == OperationStatus.PENDING and state.expires_at == clock.now() + TTL
    assert wire["expires_at"] == "2026-11-29T09:05:00Z"


def test_every_challenge_has_a_fresh_nonce(summary, clock) -> None:
    """RTS Art. 4(1): a new nonce and id each time, even for the same summary."""
    (a, _), (b, _) = (begin_operation(summary, ttl=TTL, now=clock.now()) for _ in range(2))
    assert a.nonce != b.nonce and a.operation_id != b.operation_id


def test_sp52_approval_with_code_verifies_and_code_checks(
    issued, phone, clock, server_code_key, server_code_jwk
) -> None:
    """SP-52: code approval — signed by K_dev, code decrypted for op:<id> and checked."""
    challenge, state = issued
    wire = approve_with_code(phone, challenge.to_wire(), "4821", server_code_jwk)
    verified = check(wire, issued, phone, clock)
    assert verified.code_check_required and verified.new_counter == 1
    code = decrypt_code(
        verified.code_jwe,
        server_key=server_code_key,
        expected_context=operation_context(verified.operation_id),
    )
    assert check_code(code, make_verifier("4821", pepper=b"k" * 32), pepper=b"k" * 32)
    final = conclude(state, verified, now=clock.now(), code_ok=True)
    assert final.status == OperationStatus.APPROVED and final.method == "code"


def test_code_approval_cannot_conclude_before_the_code_check(
    issued, phone, clock, server_code_jwk
) -> None:
    """A code approval is not an approval until check_code succeeded."""
    challenge, state = issued
    verified = check(
        approve_with_code(phone, challenge.to_wire(), "4821", server_code_jwk), issued, phone, clock
    )
    with pytest.raises(ValueError):
        conclude(state, verified, now=clock.now())


def test_sp23_approval_with_biometrics_verifies(issued, phone, clock) -> None:
    """SP-23: biometric approval is signed by K_bio and needs no code."""
    challenge, state = issued
    verified = check(approve_with_biometrics(phone, challenge.to_wire()), issued, phone, clock)
    assert not verified.code_check_required and verified.method == "biometric"
    assert conclude(state, verified, now=clock.now()).status == OperationStatus.APPROVED


@pytest.mark.parametrize("reason", ["not_me", "cancelled"])
def test_sp54_refusal_verifies_and_refuses(issued, phone, clock, reason: str) -> None:
    """SP-54/55: "Je refuse ce paiement" is signed by K_dev, carries its reason, needs no code."""
    challenge, state = issued
    wire = refuse(phone, challenge.to_wire(), reason)
    assert "code_jwe" not in wire
    verified = check(wire, issued, phone, clock)
    final = conclude(state, verified, now=clock.now())
    assert final.status == OperationStatus.REFUSED and final.refusal_reason == reason
    assert final.decided_at == clock.now()


@pytest.mark.parametrize(
    "change", [{"amount_minor": 41990}, {"payee": "showroompriv3.com"}, {"currency": "840"}]
)
def test_rts_art5_changed_amount_or_payee_fails(issued, phone, clock, summary, change) -> None:
    """RTS Art. 5(1)(d): an answer for another amount or payee does not match the stored hash."""
    challenge, _ = issued
    shown = challenge.to_wire() | {"summary": replace(summary, **change).to_dict()}
    shown["summary_hash"] = summary_hash(shown["summary"])
    rejected(Reason.SUMMARY_MISMATCH, approve_with_biometrics(phone, shown), issued, phone, clock)


def test_stored_summary_changed_after_issue_fails(issued, phone, clock, summary) -> None:
    """If the stored summary itself was altered, its hash no longer matches the state."""
    challenge, _ = issued
    wire = approve_with_biometrics(phone, challenge.to_wire())
    altered = replace(summary, amount_minor=1)
    rejected(Reason.SUMMARY_MISMATCH, wire, issued, phone, clock, summary=altered)


def test_phone_refuses_to_show_a_summary_that_does_not_match(issued) -> None:
    """The phone shows nothing if the summary and its hash disagree."""
    wire = issued[0].to_wire()
    wire["summary"] = wire["summary"] | {"amount_minor": 1}
    with pytest.raises(ValueError):
        read_operation(wire)


def test_replayed_counter_fails(issued, phone, clock) -> None:
    """A counter not above the last accepted one is a clone or a replay."""
    wire = approve_with_biometrics(phone, issued[0].to_wire())
    rejected(Reason.COUNTER_NOT_INCREASING, wire, issued, phone, clock, last_counter=1)
    rejected(Reason.COUNTER_NOT_INCREASING, wire, issued, phone, clock, last_counter=7)


def test_sp23_biometric_method_needs_the_biometric_key(issued, phone, clock) -> None:
    """SP-23: a biometric approval without an enrolled biometric key is refused."""
    wire = approve_with_biometrics(phone, issued[0].to_wire())
    rejected(Reason.NO_BIOMETRIC_KEY, wire, issued, phone, clock, biometric_key=None)


def test_wrong_key_for_method_fails(issued, phone, clock) -> None:
    """A "biometric" approval signed by K_dev, or a refusal signed by K_bio, is refused."""
    challenge = issued[0].to_wire()
    fields = {
        k: v for k, v in approve_with_biometrics(phone, challenge).items() if k != "signature"
    }
    fields["counter"] = phone.next_counter()
    rejected(Reason.BAD_SIGNATURE, sign_answer(fields, phone.possession), issued, phone, clock)
    refusal = {k: v for k, v in refuse(phone, challenge).items() if k != "signature"}
    rejected(Reason.BAD_SIGNATURE, sign_answer(refusal, phone.biometric), issued, phone, clock)


def test_code_approval_signed_by_biometric_key_fails(issued, phone, clock, server_code_jwk) -> None:
    """A code approval is signed by the possession key, not the biometric key."""
    wire = approve_with_code(phone, issued[0].to_wire(), "4821", server_code_jwk)
    fields = {k: v for k, v in wire.items() if k != "signature"}
    rejected(Reason.BAD_SIGNATURE, sign_answer(fields, phone.biometric), issued, phone, clock)


def test_code_approval_without_code_fails(issued, phone, clock) -> None:
    """A code approval must carry the encrypted code."""
    fields = {k: v for k, v in approve_with_biometrics(phone, issued[0].to_wire()).items()}
    fields = {k: v for k, v in fields.items() if k != "signature"} | {"method": "code"}
    rejected(Reason.CODE_MISSING, sign_answer(fields, phone.possession), issued, phone, clock)


def test_swapped_code_breaks_the_signature(issued, phone, clock, server_code_jwk) -> None:
    """The encrypted code is signed: replacing it with another JWE breaks the signature."""
    challenge = issued[0].to_wire()
    wire = approve_with_code(phone, challenge, "4821", server_code_jwk)
    other = approve_with_code(phone, challenge, "1357", server_code_jwk)["code_jwe"]
    rejected(Reason.BAD_SIGNATURE, wire | {"code_jwe": other}, issued, phone, clock)


def test_flipped_decision_breaks_the_signature(issued, phone, clock) -> None:
    """A refusal cannot be turned into an approval (or its reason changed) in transit."""
    wire = refuse(phone, issued[0].to_wire(), "cancelled")
    rejected(Reason.BAD_SIGNATURE, wire | {"reason": "not_me"}, issued, phone, clock)


def test_expired_operation_fails(issued, phone, clock) -> None:
    """Validity is decided by the server clock: at expires_at the answer is refused."""
    wire = approve_with_biometrics(phone, issued[0].to_wire())
    clock.advance(minutes=5)
    rejected(Reason.EXPIRED, wire, issued, phone, clock)


def test_rts_art4_decided_operation_cannot_be_answered_again(issued, phone, clock) -> None:
    """RTS Art. 4(1): once decided, the operation accepts no further answer."""
    challenge, state = issued
    verified = check(approve_with_biometrics(phone, challenge.to_wire()), issued, phone, clock)
    decided = conclude(state, verified, now=clock.now())
    again = approve_with_biometrics(phone, challenge.to_wire())
    rejected(Reason.NOT_PENDING, again, (challenge, decided), phone, clock, last_counter=1)


def test_other_nonce_fails(issued, phone, clock, summary) -> None:
    """An answer carrying another challenge's nonce is refused."""
    other, _ = begin_operation(summary, ttl=TTL, now=clock.now(), operation_id="op-1")
    rejected(
        Reason.NONCE_MISMATCH, approve_with_biometrics(phone, other.to_wire()), issued, phone, clock
    )


def test_answer_for_another_operation_or_device_fails(issued, phone, clock, summary) -> None:
    """An answer names its operation and device; both must match."""
    other, _ = begin_operation(summary, ttl=TTL, now=clock.now(), operation_id="op-2")
    rejected(
        Reason.WRONG_OPERATION,
        approve_with_biometrics(phone, other.to_wire()),
        issued,
        phone,
        clock,
    )
    wire = approve_with_biometrics(phone, issued[0].to_wire())
    rejected(Reason.WRONG_OPERATION, wire, issued, phone, clock, device_id="dev-2")


@pytest.mark.parametrize(
    ("status", "reason"),
    [(DeviceStatus.REVOKED, Reason.DEVICE_REVOKED), (DeviceStatus.BLOCKED, Reason.DEVICE_BLOCKED)],
)
def test_sp40_sp45_revoked_or_blocked_device_cannot_answer(issued, phone, clock, status, reason):
    """SP-40: a transferred-away phone cannot validate; SP-45: a blocked one neither."""
    wire = approve_with_biometrics(phone, issued[0].to_wire())
    rejected(reason, wire, issued, phone, clock, status=status)


@pytest.mark.parametrize(
    "change",
    [
        {"decision": "maybe"},
        {"counter": -1},
        {"counter": True},
        {"signature": "AAAA"},
        {"extra": 1},
        {"method": "pin"},
        {"nonce": ""},
    ],
)
def test_malformed_wire_answers_are_refused(issued, phone, change) -> None:
    """Unknown fields, values or shapes are malformed_answer before any check."""
    wire = approve_with_biometrics(phone, issued[0].to_wire()) | change
    with pytest.raises(AnswerRejected) as info:
        answer_from_wire(wire)
    assert info.value.reason == Reason.MALFORMED_ANSWER


def test_wire_round_trip(issued, phone) -> None:
    """from_wire(to_wire(answer)) == answer."""
    wire = refuse(phone, issued[0].to_wire())
    assert answer_from_wire(wire).to_wire() == wire


def test_summary_validation() -> None:
    """A summary needs a payee, a numeric currency and a sane amount (SP-52)."""
    base = {
        "type": "card_payment",
        "amount_minor": 1,
        "currency": "978",
        "exponent": 2,
        "payee": "x",
        "card_last4": "1234",
        "created_at": "2026-11-29T09:00:00Z",
    }
    OperationSummary(**base)
    for bad in ({"payee": ""}, {"currency": "EUR"}, {"amount_minor": -1}, {"card_last4": "12"}):
        with pytest.raises(ValueError):
            OperationSummary(**(base | bad))


def test_summary_hash_vector(summary) -> None:
    """The SP-50 example hashes to the value printed in docs/securpass-protocol.md."""
    assert summary.summary_hash() == "FmnHXhpv5V15nSNTRB3X5c99l7dh9cn-tGkyqKgpEmI"


def test_biometric_approval_carrying_a_code_is_malformed(issued, phone, server_code_jwk) -> None:
    """Only a code approval carries an encrypted code."""
    challenge = issued[0].to_wire()
    wire = approve_with_biometrics(phone, challenge)
    wire["code_jwe"] = approve_with_code(phone, challenge, "4821", server_code_jwk)["code_jwe"]
    with pytest.raises(AnswerRejected) as info:
        answer_from_wire(wire)
    assert info.value.reason == Reason.MALFORMED_ANSWER
