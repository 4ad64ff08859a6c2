"""acs.text: which characters are unsafe to show, and how they are neutralised (U+FFFD)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from acs.securpass.operations import OperationSummary, OperationType
from acs.text import REPLACEMENT, UNSAFE_CATEGORIES, first_unsafe, neutralise

UNSAFE = ["\x00", "\t", "\n", "\r", "\x1b", "\x85", "\u00ad", "\u061c", "\u200b", "\u200d",
          "\u200e", "\u202a", "\u202e", "\u2028", "\u2029", "\u2060", "\u2066", "\u2069",
          "\ufeff", "\ud800"]  # fmt: skip


def test_each_control_and_format_character_becomes_one_replacement():
    """Cc, Cf, Cs, Zl and Zp characters are replaced one for one by U+FFFD."""
    for char in UNSAFE:
        assert neutralise(f"a{char}b") == f"a{REPLACEMENT}b", repr(char)
        assert first_unsafe(f"ab{char}") == (2, f"U+{ord(char):04X}")


def test_ordinary_names_are_unchanged():
    """Accents, non-Latin scripts, emoji, spaces and NBSP are shown as they are."""
    for name in ("Café Ébène", "Łódź sp. z o.o.", "東京ショップ", "متجر", "shop 🛒", "a\u00a0b"):
        assert neutralise(name) == name
        assert first_unsafe(name) is None


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text())
def test_neutralised_text_has_no_unsafe_character_and_is_stable(text):
    """The result is free of unsafe characters, as long as the input, and idempotent."""
    shown = neutralise(text)
    assert len(shown) == len(text)
    assert not any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in shown)
    assert neutralise(shown) == shown


def test_the_operation_summary_holds_and_hashes_the_neutralised_payee():
    """The summary neutralises the payee and the extra values: the hash is over the text shown."""
    summary = OperationSummary(
        type=OperationType.TRANSFER, amount_minor=100, currency="978", exponent=2,
        payee="\u202emoc.live\u202c", card_last4="", created_at="2026-11-29T09:00:00Z",
        extra=(("iban", "FR76\u2066 1234"),),
    )  # fmt: skip
    assert summary.payee == "\ufffdmoc.live\ufffd"
    assert summary.extra == (("iban", "FR76\ufffd 1234"),)
    assert b"\xe2\x80\xae" not in summary.canonical_bytes()  # U+202E in UTF-8
