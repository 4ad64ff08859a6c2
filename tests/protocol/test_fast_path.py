"""The compiled fast accept check and the detailed validator agree on every message tried."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from acs.protocol.validation import conforms, validator

VECTORS = sorted((Path(__file__).parents[1] / "vectors" / "areq").glob("*.json"))
BAD_VALUES = (123, True, "ZZ", "x" * 3000, "-1", {"a": "b"}, ["01"], "2.2.0", "0" * 40)


def variants(message: dict):
    yield message
    for key in message:
        without = {k: v for k, v in message.items() if k != key}
        yield without
        for bad in BAD_VALUES:
            yield {**message, key: bad}
    for key, value in message.items():
        if isinstance(value, dict):
            for inner in value:
                for bad in BAD_VALUES[:4]:
                    changed = copy.deepcopy(message)
                    changed[key][inner] = bad
                    yield changed


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_fast_and_detailed_validation_agree(path):
    """For every vector and hundreds of broken variants, accept/reject is the same."""
    message = json.loads(path.read_text(encoding="utf-8"))
    version = message["messageVersion"]
    detailed = validator(version, "AReq")
    tried = 0
    for variant in variants(message):
        expected = not any(True for _ in detailed.iter_errors(variant))
        assert conforms(version, "AReq", variant) is expected, variant
        tried += 1
    assert tried > 200
