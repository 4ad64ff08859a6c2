"""The Sécur'Pass code: which new codes are refused (SP-24) and the wrong-code counter (SP-45).

A code is exactly four ASCII digits. These are refused as trivial (:func:`validate_new_code`):

- one digit repeated: ``0000``, ``1111`` … ``9999``;
- a run up or down by one, wrapping past 9: ``0123``, ``1234`` … ``7890``, ``8901``, ``9012`` and
  ``3210``, ``4321`` … ``0987``, ``1098``, ``2109``;
- a repeated pair: ``1212``, ``6969``, ``1010`` …;
- a short list of well-known choices: ``2580`` and ``0852`` (the keypad's middle column),
  ``1004``, ``1122``, ``2000``, ``2001``, ``1313`` (already a pair), ``7777`` (already repeated).

The list is small on purpose: a four-digit code only resists guessing because the server blocks
after five wrong tries (PSD2 RTS Art. 4(3)(b)); refusing the most common choices raises the odds a
thief must beat, refusing every date would frustrate customers for little gain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from acs.securpass.errors import WeakCode

__all__ = ["MAX_FAILURES", "CodeAttempts", "validate_new_code"]

CODE_LENGTH = 4
MAX_FAILURES = 5  # PSD2 RTS Art. 4(3)(b): at most five consecutive failed attempts
# What the app shows and enforces before sending a code (device API ``code_policy``).
CODE_POLICY = {"length": CODE_LENGTH, "digits_only": True, "max_failures": MAX_FAILURES}
_FOUR_DIGITS = re.compile(rf"[0-9]{{{CODE_LENGTH}}}")
_WELL_KNOWN = frozenset({"2580", "0852", "1004", "1122", "2000", "2001"})


def validate_new_code(code: str) -> None:
    """SP-24: raise :class:`WeakCode` unless ``code`` is four digits and not trivial."""
    if not isinstance(code, str) or not _FOUR_DIGITS.fullmatch(code):
        raise WeakCode("the code must be exactly 4 digits")
    digits = [int(c) for c in code]
    steps = {(b - a) % 10 for a, b in pairwise(digits)}
    if steps == {0}:
        raise WeakCode("the code repeats one digit")
    if steps in ({1}, {9}):
        raise WeakCode("the code is a run of consecutive digits")
    if code[:2] == code[2:]:
        raise WeakCode("the code repeats a pair of digits")
    if code in _WELL_KNOWN:
        raise WeakCode("the code is too common")


@dataclass(frozen=True)
class CodeAttempts:
    """SP-45: consecutive wrong codes; blocked at :data:`MAX_FAILURES`, reset by a right code.

    Pure: each ``record_*`` returns the new counter for the caller to store.
    """

    failures: int = 0
    max_failures: int = MAX_FAILURES

    @property
    def blocked(self) -> bool:
        return self.failures >= self.max_failures

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_failures - self.failures)

    @property
    def last_attempt(self) -> bool:
        """The customer must be warned before the block (RTS Art. 4(3)(b))."""
        return self.attempts_left == 1

    def record_failure(self) -> CodeAttempts:
        return replace(self, failures=min(self.failures + 1, self.max_failures))

    def record_success(self) -> CodeAttempts:
        # A blocked counter stays blocked: only re-activation (:meth:`reset`) unblocks (SP-45).
        return self if self.blocked else replace(self, failures=0)

    def reset(self) -> CodeAttempts:
        """After a re-activation (SP-45) the count starts again."""
        return replace(self, failures=0)
