"""The msgspec decoding with its colon count says what the ``json.loads`` hook says, always."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from acs.protocol import ErrorCode, ProtocolError, parse_json
from acs.protocol.parsing import Decoded, parse_json_slow

VECTORS = sorted((Path(__file__).parents[1] / "vectors" / "areq").glob("*.json"))


def outcome(parse, body: bytes) -> object:
    try:
        return ("value", parse(body))
    except ProtocolError as exc:
        return ("erro", exc.code, exc.detail)


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vectors_take_the_fast_path_with_the_same_value(path):
    """Each held-out AReq is decoded by msgspec, to what json.loads gives."""
    body = path.read_bytes()
    value = parse_json(body)
    assert isinstance(value, Decoded)
    assert value == parse_json_slow(body)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"a": 1, "a": 1}', "a"),
        (b'{"a:b": 1, "a:b": 2}', "a:b"),
        (b'{"a": "x:y:z", "a": "x:y:z"}', "a"),
        (b'{"l": [{"x": 1}, {"y": ":", "y": ":"}]}', "l.y"),
        (b'{"o": {"p": {"q": 1, "q": {"r": 1}}}}', "o.p.q"),
        (b'{"a": 1, "b": "\\u003a", "a": 2}', "a"),  # an escaped colon cannot hide a pair
        (b'{"\\u0061": 1, "a": 2}', "a"),
    ],
)
def test_every_repeated_key_is_found(body, detail):
    """A repeated key is Erro 204 naming it, whatever colons the strings hold."""
    with pytest.raises(ProtocolError) as caught:
        parse_json(body)
    assert (caught.value.code, caught.value.detail) == (ErrorCode.DUPLICATE_ELEMENT, detail)


def test_fast_and_slow_decoding_agree_on_mutated_bodies():
    """Thousands of mutated AReqs (bytes flipped, colons and quotes moved) end the same way."""
    rng = random.Random(14)
    seed = VECTORS[0].read_bytes()
    alphabet = b':",{}[]\\u0 a9'
    fast = 0
    for _ in range(3000):
        mutated = bytearray(seed)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(mutated))
            mutated[position] = rng.choice(alphabet)
        if rng.random() < 0.3:  # repeat one pair somewhere
            start = rng.randrange(len(seed))
            mutated[start:start] = b'"merchantName":"X:Y",'
        body = bytes(mutated)
        assert outcome(parse_json, body) == outcome(parse_json_slow, body), body
        fast += isinstance(outcome(parse_json, body)[1], Decoded)
    assert fast > 100  # the comparison covered the fast path, not only the fallback
