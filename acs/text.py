"""Text shown to a cardholder or stored from a file: Unicode control and format characters.

A ``merchantName`` of ``"\\u202emoc.live\\u202c"`` *renders* as "evil.com" (U+202E RIGHT-TO-LEFT
OVERRIDE reverses what follows), so an approve screen showing it, and a signature over it, would
link the payment to a name the cardholder never saw (RTS Art. 5). Every text the ACS shows to the
cardholder (challenge pages, the phone's operation summary, the SMS) goes through
:func:`neutralise`, and the CSV import refuses such characters (:func:`first_unsafe`).

*Unsafe* here is every character of the Unicode general categories Cc (controls: NUL, CR, LF,
TAB, ESC of ANSI sequences, C1), Cf (format: the bidi embeddings, overrides and isolates
U+202A–U+202E and U+2066–U+2069, the marks U+200E/U+200F/U+061C, zero-width space/joiners
U+200B–U+200D, U+2060, U+FEFF, soft hyphen), Cs (lone surrogates) and Zl/Zp (U+2028/U+2029).

*Neutralising* replaces each of them by U+FFFD REPLACEMENT CHARACTER (one for one) rather than
removing it: the cardholder then sees that the name was tampered with ("�moc.live�") instead of
a clean-looking name, and no two different inputs collapse into the same innocent text. U+FFFD
is itself safe, so the function is idempotent (a summary rebuilt from storage hashes the same).
"""

from __future__ import annotations

import unicodedata

__all__ = ["REPLACEMENT", "UNSAFE_CATEGORIES", "first_unsafe", "neutralise"]

REPLACEMENT = "\ufffd"
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in UNSAFE_CATEGORIES


def neutralise(text: str) -> str:
    """``text`` with every control or format character replaced by U+FFFD."""
    if text.isprintable():  # the common case: no category C or Z other than the space
        return text
    return "".join(REPLACEMENT if _unsafe(char) else char for char in text)


def first_unsafe(text: str) -> tuple[int, str] | None:
    """The position and ``U+XXXX`` name of the first unsafe character, or ``None``."""
    for index, char in enumerate(text):
        if _unsafe(char):
            return index, f"U+{ord(char):04X}"
    return None
