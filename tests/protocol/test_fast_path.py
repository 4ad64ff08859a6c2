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


# Per custom format: values it must accept and values it must refuse (EMV Table A.1 formats).
FORMAT_CASES = {
    "emv-date": (["20261129", "20240229"], ["20250229", "2026113", "20261329", "２０２６1129"]),
    "emv-datetime": (["20261129235959"], ["20261129246000", "2026112923595", "20261129T23595"]),
    "emv-datetime-minutes": (["202611292359"], ["202611292360", "20261129235"]),
    "emv-yymm": (["2611", "0001"], ["2613", "2600", "261", "26-1"]),
    "emv-ip": (["192.0.2.10", "2001:db8::1"], ["192.0.2.300", "example.org"]),
    "emv-url": (["https://shop.example/notify"], ["ftp://shop.example", "https://", "shop"]),
}


@pytest.mark.parametrize("name", sorted(FORMAT_CASES))
def test_custom_formats_accept_and_refuse_on_both_paths(name):
    """Each format check, as jsonschema calls it and as the compiled accept check calls it."""
    from acs.protocol.validation import FORMAT_CHECKER, _conforms_to

    assert set(FORMAT_CASES) == {f for f in FORMAT_CHECKER.checkers if f.startswith("emv-")}
    good, bad = FORMAT_CASES[name]
    fast = _conforms_to(name)
    assert [(FORMAT_CHECKER.conforms(v, name), fast(v)) for v in good] == [(True, True)] * len(good)
    assert [(FORMAT_CHECKER.conforms(v, name), fast(v)) for v in bad] == [(False, False)] * len(bad)


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_both_validators_refuse_a_trailing_newline_on_every_pattern(path):
    """Every string field with a pattern, given its valid value plus "\\n", fails in both."""
    message = json.loads(path.read_text(encoding="utf-8"))
    version = message["messageVersion"]
    properties = validator(version, "AReq").schema["properties"]
    patterned = [
        k for k, v in message.items() if isinstance(v, str) and "pattern" in properties.get(k, {})
    ]
    assert len(patterned) >= 3
    for key in patterned:
        changed = {**message, key: message[key] + "\n"}
        assert not conforms(version, "AReq", changed), key
        assert not validator(version, "AReq").is_valid(changed), key


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_both_validators_agree_on_every_enumerated_value(path):
    """Every allowed value of every enumerated field (deviceChannel "01" makes the browser
    fields forbidden, messageCategory "02" the purchase fields optional…), alone and with one
    field dropped: the compiled ``if``/``then`` rules decide as jsonschema does."""
    message = json.loads(path.read_text(encoding="utf-8"))
    version = message["messageVersion"]
    detailed = validator(version, "AReq")
    properties = detailed.schema["properties"]
    enumerated = {k: s["enum"] for k, s in properties.items() if "enum" in s}
    tried = outcomes = 0
    for key, members in enumerated.items():
        for member in members:
            changed = {**message, key: member}
            for variant in (changed, {k: v for k, v in changed.items() if k != "purchaseAmount"}):
                expected = detailed.is_valid(variant)
                assert conforms(version, "AReq", variant) is expected, (key, member)
                tried, outcomes = tried + 1, outcomes + expected
    assert tried > 30 and outcomes > 0


def test_compiled_keywords_mean_what_jsonschema_means_on_any_instance():
    """Small schemas of each compiled shape, on instances of every JSON type: the same verdict
    (an ``if`` on a non-object holds, so its ``then`` applies)."""
    from jsonschema import Draft202012Validator

    from acs.protocol.accept import compile_schema
    from acs.protocol.validation import _whole_string

    when = {"properties": {"k": {"const": "01"}}, "required": ["k"]}
    schemas = [
        when,
        {"if": when, "then": {"type": "object"}},
        {"allOf": [{"if": when, "then": {"required": ["x"]}}, {"if": when, "then": False}]},
        {"type": "string", "maxLength": 2, "pattern": "^[0-9]+$", "enum": ["1", "22", "333"]},
        {"type": "integer"},
        {"not": {"enum": [1, "a", None]}},
        {"items": {"type": "number"}, "minItems": 1, "maxItems": 2},
        {"anyOf": [{"type": "boolean"}, {"const": {"a": [1]}}]},
    ]
    instances = [None, True, 0, 1, 1.0, 2.5, "", "1", "22", "333", "a", [], [1], [1, 2, 3],
                 {}, {"k": "01"}, {"k": "01", "x": 1}, {"k": "02"}, {"a": [1]}]  # fmt: skip
    for schema in schemas:
        check = compile_schema(schema, formats={}, pattern=_whole_string)
        expected = Draft202012Validator(schema)
        for instance in instances:
            assert check(instance) is expected.is_valid(instance), (schema, instance)
