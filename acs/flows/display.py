"""How the flows show a customer's contact details: enough to recognise them, never in full."""

from __future__ import annotations

__all__ = ["masked_mobile"]


def masked_mobile(number: str | None, *, hidden_pairs: int = 4, missing: str = "") -> str:
    """``+33 •• •• •• •• 78``: the country code, ``hidden_pairs`` masked pairs, the last two
    digits; ``missing`` when there is no number.

    The Sécur'Pass API shows four masked pairs and nothing for no number; the challenge page
    three pairs and ``••`` (each keeps the output its clients already show).
    """
    if not number:
        return missing
    return " ".join([number[:3], *["••"] * hidden_pairs, number[-2:]])
