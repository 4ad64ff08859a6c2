"""Hypothesis strategies that break valid 3DS messages: types, lengths, unicode (surrogates,
NUL, controls), nesting, duplicate keys, missing and extra fields — and the settings every fuzz
test runs with (seeded, bounded; ``ACS_FUZZ_EXAMPLES`` raises the count for a longer run)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ACS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same inputs on every run: a failure reproduces
    database=None,
    deadline=None,
    # One app and database serve every example of a test: that is the point, not a hazard.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Erro codes an invalid input may get; 402-404 (timeouts, system failures) are never its due.
INPUT_CODES = frozenset({"101", "102", "201", "202", "203", "204", "305"})

ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),  # surrogates included
        st.sampled_from(["\x00", "\n", "\r", "\t", "\u202e", "\ufeff", "\udc80", "\ud800"]),
    ),
    max_size=40,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    ODD_TEXT,
    st.sampled_from(["", "0" * 5000, "9" * 49, "a" * 70000, "2.2.0", "AReq", "01", "Y"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4),
    max_leaves=12,
)


@dataclass(frozen=True)
class Mutated:
    """A broken message as bytes, with what was done (shown when a test fails)."""

    body: bytes
    what: str


def edits(message: dict[str, Any]) -> st.SearchStrategy[tuple[str, Any]]:
    """One change to ``message``: (description, changed message or raw bytes)."""
    keys = sorted(message)
    nested = sorted((k, inner) for k, v in message.items() if isinstance(v, dict) for inner in v)
    key = st.sampled_from(keys)
    return st.one_of(
        st.tuples(key, VALUES).map(lambda kv: (f"{kv[0]}={kv[1]!r}", {**message, kv[0]: kv[1]})),
        key.flatmap(lambda k: _text_edits(message, k)),
        key.map(lambda k: (f"without {k}", {n: v for n, v in message.items() if n != k})),
        st.tuples(ODD_TEXT, VALUES).map(lambda kv: (f"extra {kv[0]!r}", {**message, kv[0]: kv[1]})),
        key.map(lambda k: (f"duplicate {k}", _duplicated(message, k))),
        st.tuples(key, st.integers(1, 3000)).map(
            lambda kd: (f"{kd[0]} nested {kd[1]} deep", _nested(message, *kd))
        ),
        *(
            [
                st.tuples(st.sampled_from(nested), VALUES).map(
                    lambda pv: (f"{pv[0][0]}.{pv[0][1]}={pv[1]!r}", _set_inner(message, *pv))
                )
            ]
            if nested
            else []
        ),
        st.just(("not UTF-8", json.dumps(message).encode()[:-2] + b'\xff"}')),
    )


def _text_edits(message: dict[str, Any], key: str) -> st.SearchStrategy[tuple[str, Any]]:
    value = message[key] if isinstance(message[key], str) else json.dumps(message[key])
    changes = st.sampled_from(
        [
            ("+\\n", value + "\n"),
            ("+NUL", value + "\x00"),
            ("NUL+", "\x00" + value),
            ("+surrogate", value + "\ud800"),
            ("x100", value * 100),
            ("+1 char", value + "0"),
            ("-1 char", value[:-1]),
            ("upper", value.upper()),
            ("spaces", f" {value} "),
            ("fullwidth digits", value.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})),
        ]
    )
    return changes.map(lambda c: (f"{key} {c[0]}", {**message, key: c[1]}))


def _duplicated(message: dict[str, Any], key: str) -> bytes:
    text = json.dumps(message)
    return ("{" + json.dumps(key) + ": " + json.dumps(message[key]) + ", " + text[1:]).encode()


def _nested(message: dict[str, Any], key: str, depth: int) -> bytes:
    inner = json.dumps(message[key])
    wrapped = "[" * depth + inner + "]" * depth
    body = {k: v for k, v in message.items() if k != key}
    return (json.dumps(body)[:-1] + f", {json.dumps(key)}: {wrapped}}}").encode()


def _set_inner(message: dict[str, Any], where: tuple[str, str], value: Any) -> dict[str, Any]:
    outer, inner = where
    return {**message, outer: {**message[outer], inner: value}}


def encoded(change: tuple[str, Any], *, ascii_only: bool) -> Mutated:
    """The message as a body: JSON with ``\\u`` escapes, or raw UTF-8 (surrogates kept raw)."""
    what, message = change
    if isinstance(message, bytes):
        return Mutated(message, what)
    text = json.dumps(message, ensure_ascii=ascii_only)
    return Mutated(text.encode("utf-8", "surrogatepass"), what)


def mutations(message: dict[str, Any]) -> st.SearchStrategy[Mutated]:
    """Bodies derived from ``message`` by one edit."""
    one = edits(message)
    return st.builds(encoded, one, ascii_only=st.booleans())
