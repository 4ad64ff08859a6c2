"""The Sécur'Pass code policy (SP-24) and the wrong-code counter (SP-45, RTS Art. 4(3)(b))."""

from __future__ import annotations

import pytest

from acs.securpass.errors import Reason, WeakCode
from acs.securpass.pincode import MAX_FAILURES, CodeAttempts, validate_new_code


@pytest.mark.parametrize("code", ["4821", "0458", "9371", "1357", "2468", "1985"])
def test_sp24_reasonable_codes_are_accepted(code: str) -> None:
    """SP-24: a four-digit code that is not trivial is accepted."""
    validate_new_code(code)


@pytest.mark.parametrize(
    "code",
    ["123", "12345", "12a4", "", "１２３４", " 482", "4821\n", "٤٨٢١"],
)
def test_sp24_code_must_be_exactly_four_ascii_digits(code: str) -> None:
    """SP-24: exactly four ASCII digits (no Unicode digits, no spaces)."""
    with pytest.raises(WeakCode, match="4 digits"):
        validate_new_code(code)


@pytest.mark.parametrize(
    "code",
    [
        *("0000", "1111", "7777", "9999"),  # repeated digit
        *("0123", "1234", "6789", "7890", "8901", "9012"),  # ascending run
        *("9876", "4321", "3210", "0987", "2109"),  # descending run
        *("1212", "6969", "1010", "0101"),  # repeated pair
        *("2580", "0852", "1004", "1122", "2000", "2001"),  # well-known
    ],
)
def test_sp24_trivial_codes_are_refused(code: str) -> None:
    """SP-24: repeated digits, runs, repeated pairs and well-known codes are refused."""
    with pytest.raises(WeakCode) as info:
        validate_new_code(code)
    assert info.value.reason == Reason.WEAK_CODE
    assert code not in str(info.value)  # the refusal never repeats the code


def test_sp45_five_wrong_codes_block() -> None:
    """SP-45 / RTS Art. 4(3)(b): the fifth consecutive wrong code blocks."""
    attempts = CodeAttempts()
    for left in (4, 3, 2, 1):
        attempts = attempts.record_failure()
        assert not attempts.blocked and attempts.attempts_left == left
    assert attempts.last_attempt  # the customer is warned before the block
    attempts = attempts.record_failure()
    assert attempts.blocked and attempts.attempts_left == 0 and MAX_FAILURES == 5


def test_sp45_success_resets_the_count() -> None:
    """SP-45: the count is of *consecutive* failures; a right code resets it."""
    attempts = CodeAttempts().record_failure().record_failure().record_failure().record_success()
    assert attempts.failures == 0 and attempts.attempts_left == 5


def test_sp45_blocked_stays_blocked_until_reactivation() -> None:
    """SP-45: once blocked, a right code does not unblock; only re-activation (reset) does."""
    attempts = CodeAttempts()
    for _ in range(6):
        attempts = attempts.record_failure()
    assert attempts.failures == 5
    assert attempts.record_success().blocked
    assert not attempts.reset().blocked
