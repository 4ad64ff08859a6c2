"""Generate ``schemas/<version>/<Message>.json`` from the field tables.

Usage: ``python scripts/build_schemas.py [FIELDS_DIR] [OUT_DIR]``.  FIELDS_DIR defaults to
``spec/fields`` and OUT_DIR to ``schemas`` in the repository.

The tables (see ``spec/fields/README.md``) describe a 3DS Server's API input, so the ACS-side
changes live in the explicit ``EXTRA``/``REQUIRED``/``DROP`` tables below.  Output is
deterministic: keys are sorted and lists keep table order.
Decisions are recorded in ``schemas/README.md``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = {"APP": "01", "BRW": "02", "3RI": "03"}
OBJECT_REFS = {
    "AcctInfo": "acctinfo",
    "MerchantRiskIndicator": "merchantriskindicator",
    "DeviceRenderOptions": "devicerenderoptions",
    "AcsRenderingType": "acsrenderingtype",
    "MessageExtension": "messageextension",
    "PhoneNumber": "phonenumber",
    "ThreeDSRequestorAuthenticationInfo": "threedsrequestorauthenticationinfo",
    "ThreeDSRequestorPriorAuthenticationInfo": "threedsrequestorpriorauthenticationinfo",
    "SellerInfo": "sellerinfo",
    "RecurringInd": "recurringind",
    "SelectInfo": None,
    "Image": None,
    "JWK": None,
}
VERSIONS = ("2.1.0", "2.2.0", "2.3.1")
OUTGOING = frozenset({"ARes", "CRes", "RReq", "Erro"})


def row(name: str, constraints: str = "", inclusion: str = "Optional", **more: object) -> dict:
    """An override row shaped like the field tables (``versions`` limits where it applies)."""
    return {
        "name": name,
        "type": "string",
        "inclusion": inclusion,
        "constraints": constraints,
        **more,
    }


UUID, URL = "Format: uuid", "Format: url Max length: 2048"
YN = "One of: Y N"
# ---- Explicit overrides and additions (each one is listed in schemas/README.md) ----
REGEX_FIXES = {
    r"^\d{1-3}$": "^[A-Za-z0-9]{1,3}$",
    r"^(0[1-5])|([89][0-9])$": "^(0[1-5]|[89][0-9])$",
    r"^(0[1-4])|([89][1-10])$": "^(0[1-4]|[89][0-9])$",
}
VALUE_RANGES = {
    "05-99": "^(0[5-9]|[1-9][0-9])$",
    "00-99": "^[0-9]{2}$",
    "00001-10080": "^(0000[1-9]|000[1-9][0-9]|00[1-9][0-9]{2}|0[1-9][0-9]{3}|100[0-7][0-9]|10080)$",
    "2-999": "^(00[2-9]|0?[1-9][0-9]|[2-9]|[1-9][0-9]{2})$",
}
DROP = {"AReq": ("ds",)}
REQUIRED = {"ARes": ("transStatus",)}
CHALLENGE_IND_231 = "Max length: 2 Regexp: ^(0[1-9]|1[0-5]|[89][0-9])$ One of: 01-14"
EXTRA: dict[str, list[dict]] = {
    "AReq": [
        row("threeDSServerRefNumber", "Max length: 32", "Required"),
        row("threeDSServerURL", URL),
        row("threeDSServerOperatorID", "Max length: 32"),
        row("dsReferenceNumber", "Max length: 32", "Required"),
        row("dsTransID", UUID, "Required"),
        row("dsURL", URL),
        # Sent on by the DS but absent from the ACS table; typed so that no value goes unchecked.
        row("threeDSRequestorID", "Max length: 35"),
        row("threeDSRequestorName", "Max length: 40"),
        row("deviceInfo", "Max length: 64000", "Required", channels="APP"),
        row("sdkEncData", "Max length: 64000", channels="APP"),
        row("sdkEphemPubKey", "", "Required", type="JWK object", channels="APP"),
        row(
            "threeDSRequestorChallengeInd",
            CHALLENGE_IND_231,
            type="Array of string",
            channels="APP BRW",
            versions=("2.3.1",),
        ),
        row(
            "threeDSRequestorAuthenticationInfo",
            "Max length: 3",
            channels="APP BRW",
            type="Array of ThreeDSRequestorAuthenticationInfo object",
            versions=("2.3.1",),
        ),
        row(
            "threeDSRequestorPriorAuthenticationInfo",
            "Max length: 3",
            type="Array of ThreeDSRequestorPriorAuthenticationInfo object",
            versions=("2.3.1",),
        ),
    ],
    "CReq": [
        row("challengeWindowSize", "One of: 01 02 03 04 05", channels="BRW"),
        row("sdkTransID", UUID, channels="APP"),
        row("sdkCounterStoA", "Regexp: ^[0-9]{3}$", channels="APP"),
        row("challengeDataEntry", "Max length: 45"),
        row("challengeNoEntry", "Must be: Y"),
        row("challengeHTMLDataEntry", "Max length: 256"),
        row("challengeCancel", "One of: 01-08", versions=("2.1.0",)),
        row("challengeCancel", "One of: 01 03-08", versions=("2.2.0",)),
        row("challengeCancel", "One of: 01 03-10", versions=("2.3.1",)),
        row("resendChallenge", YN),
        row("oobContinue", type="bool", versions=("2.1.0", "2.2.0")),
        row("oobContinue", "One of: 01 02", versions=("2.3.1",)),
        row("threeDSRequestorAppURL", URL, versions=("2.2.0", "2.3.1")),
        row("whitelistingDataEntry", YN, versions=("2.2.0",)),
        row("trustListDataEntry", YN, versions=("2.3.1",)),
        row("challengeAddCode", "Max length: 45", versions=("2.3.1",)),
        row("challengeDataEntryTwo", "Max length: 45", versions=("2.3.1",)),
        row("deviceBindingDataEntry", "Max length: 2", versions=("2.3.1",)),
        row("infoContinueIndicator", "Must be: Y", versions=("2.3.1",)),
        row("oobAppStatus", "Max length: 2", versions=("2.3.1",)),
        row("oobAppURLInd", "Max length: 2", versions=("2.3.1",)),
        row("messageExtensions", "Max length: 15", type="Array of MessageExtension object"),
    ],
    "CRes": [
        row("transStatus", "One of: Y N D", versions=("2.3.1",)),
        row("acsUiType", "One of: 01 02 03 04 05", versions=("2.1.0", "2.2.0")),
        row("acsUiType", "One of: 01 02 03 04 05 06 07", versions=("2.3.1",)),
        *(
            row(n, "Max length: 45")
            for n in (
                "challengeInfoHeader",
                "challengeInfoLabel",
                "submitAuthenticationLabel",
                "resendInformationLabel",
                "expandInfoLabel",
                "whyInfoLabel",
                "oobContinueLabel",
                "oobAppLabel",
            )
        ),
        *(
            row(n, "Max length: 350")
            for n in ("challengeInfoText", "expandInfoText", "whyInfoText")
        ),
        row("challengeInfoTextIndicator", YN),
        row("challengeSelectInfo", type="Array of SelectInfo object"),
        row("acsHTML", "Max length: 300000 Regexp: ^[A-Za-z0-9_-]+$"),
        row("acsHTMLRefresh", "Max length: 300000 Regexp: ^[A-Za-z0-9_-]+$"),
        row("issuerImage", type="Image object"),
        row("psImage", type="Image object"),
        row("oobAppURL", URL),
        row("whitelistingInfoText", "Max length: 64", versions=("2.2.0",)),
        *(
            row(n, "Max length: 64", versions=("2.3.1",))
            for n in (
                "trustListInfoText",
                "challengeAddLabel",
                "deviceBindingInfoText",
                "infoContinueLabel",
            )
        ),
    ],
    "ARes": [
        # The table merges the RReq rule (Y/N) into the ARes row; in an ARes the method is only
        # named for a challenge or decoupled outcome (emv3ds.md §2.2): a frictionless Y has none.
        row(
            "authenticationMethod",
            "Min length: 1 Max length: 99 Regexp: ^[0-9]{2}$ One of: 01-16",
            "Conditional",
            type="Array of string",
            conditions=["Required if transStatus is one of [C, D] ;"],
            versions=("2.3.1",),
        ),
    ],
    "RReq": [row("transStatus", "One of: Y N U A R D", versions=("2.3.1",))],
    "Erro": [
        row("threeDSServerTransID", UUID),
        row(
            "errorCode", "One of: 101-103 201-207 301-315 402-405", "Required", versions=("2.3.1",)
        ),
        row(
            "errorMessageType",
            "One of: AReq ARes CReq CRes RReq RRes PReq PRes OReq ORes Erro",
            "Required",
            versions=("2.3.1",),
        ),
    ],
    "AcsRenderingType": [
        row("acsUiTemplate", "One of: 01 02 03 04 05 06 07", "Required", versions=("2.3.1",)),
        row("deviceUserInterfaceMode", "One of: 01 02 03 04", "Required", versions=("2.3.1",)),
    ],
}


def rres_table(version: str) -> list[dict]:
    """RRes has no field table: built from emv3ds.md §2.6."""
    results = "One of: 01 02 03 80-99" if version != "2.3.1" else "One of: 01 02 03 04 80-99"
    return [
        row("messageType", "Must be: RRes", "Required"),
        row("messageVersion", f"Must be: {version}", "Required"),
        *(row(n, UUID, "Required") for n in ("threeDSServerTransID", "dsTransID", "acsTransID")),
        row("sdkTransID", UUID),
        row("resultsStatus", results, "Required"),
        row("messageExtension", "Max length: 10", type="Array of MessageExtension object"),
    ]


def extra_conditions(message: str, rows: list[dict]) -> list[dict]:
    """Rules the tables cannot carry: channel-only AReq fields, CReq/CRes kinds."""
    if message == "AReq":
        return [channel_forbids(code, rows) for code in CHANNELS.values()]
    if message == "CReq":
        app = {"required": ["sdkTransID"]}
        return [
            {
                "if": app,
                "then": {"required": ["sdkCounterStoA"]},
                "else": {"required": ["challengeWindowSize"]},
            }
        ]
    if message == "CRes":
        final = {"properties": {"challengeCompletionInd": {"const": "Y"}}}
        interim = {"properties": {"challengeCompletionInd": {"const": "N"}}}
        return [
            {"if": final, "then": {"required": ["transStatus"]}},
            {"if": interim, "then": {"required": ["acsUiType"]}},
        ]
    return []


def channel_forbids(code: str, rows: list[dict]) -> dict:
    """Fields that belong to exactly one other channel are forbidden (203) on ``code``."""
    names = sorted(
        r["name"]
        for r in rows
        if r.get("channels") in ("APP", "BRW") and CHANNELS[r["channels"]] != code
    )
    test = {"properties": {"deviceChannel": {"const": code}}, "required": ["deviceChannel"]}
    return {"if": test, "then": {"properties": {n: {"not": {}} for n in names}}}


URL_SCHEMA = {"type": "string", "format": "emv-url", "maxLength": 2048, "minLength": 1}
INLINE_DEFS = {
    "SelectInfo": {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 45},
    },
    "Image": {
        "type": "object",
        "properties": dict.fromkeys(("medium", "high", "extraHigh"), URL_SCHEMA),
    },
    "JWK": {
        "type": "object",
        "required": ["kty"],
        "properties": {k: {"type": "string", "minLength": 1} for k in ("kty", "crv", "x", "y")},
    },
}
NESTED_CONDITION_FIELDS = {"frequencyInd": "recurringInd", "amountInd": "recurringInd"}
FORMATS = {
    "uuid": {"format": "uuid", "pattern": "^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"},
    "yyyymmddhhmmss": {"format": "emv-datetime", "pattern": "^[0-9]{14}$"},
    "yyyymmddhhmm": {"format": "emv-datetime-minutes", "pattern": "^[0-9]{12}$"},
    "yyyymmdd": {"format": "emv-date", "pattern": "^[0-9]{8}$"},
    "yymm": {"format": "emv-yymm", "pattern": "^[0-9]{4}$"},
    "countryCode": {"pattern": "^[0-9]{3}$"},
    # ISO 4217 excludes 955-964 (bond units, precious metals) and 999 (no currency).
    "currency": {"pattern": "^(?!95[5-9]|96[0-4]|999)[0-9]{3}$"},
    "email": {"format": "email"},
    "ip": {"format": "emv-ip"},
    "url": {"format": "emv-url"},
    "urlHttps": {"format": "emv-url", "pattern": "^https://"},
}


def table(fields_dir: Path, stem: str, version: str) -> list[dict]:
    """The rows for ``stem`` in ``version``: the exact-version file, else the unsuffixed one."""
    suffix = version.replace(".", "")
    for name in (f"{stem}_{suffix}.json", f"{stem}.json"):
        if (fields_dir / name).exists():
            return json.loads((fields_dir / name).read_text())
    candidates = sorted(fields_dir.glob(f"{stem}_*.json"))
    return json.loads(candidates[-1].read_text()) if candidates else []


def expand(values: str) -> list[str]:
    """Expand ``01 02 12-79`` into the listed and ranged codes."""
    out: list[str] = []
    for token in values.split():
        low, _, high = token.partition("-")
        if high and low.isdigit() and high.isdigit():
            out += [str(n).zfill(len(low)) for n in range(int(low), int(high) + 1)]
        else:
            out.append(token)
    return out


def string_schema(constraints: str) -> dict:
    """Translate a ``constraints`` text into string keywords."""
    schema: dict = {"type": "string"}
    regex = re.search(r"Regexp: (\S+)", constraints)
    one_of = re.search(r"One of: ([^:]+?)(?: [A-Z][a-z ]+:|$)", constraints)
    for key, word in (("maxLength", "Max length"), ("minLength", "Min length")):
        if m := re.search(rf"{word}: (\d+)", constraints):
            schema[key] = int(m.group(1))
    if m := re.search(r"(?<![a-z] )Length: (\d+)", constraints):
        schema["minLength"] = schema["maxLength"] = int(m.group(1))
    if m := re.search(r"Format: (\S+)", constraints):
        schema.update(FORMATS.get(m.group(1), {}))
    if m := re.search(r"Value: (\d+) … (\d+)|From (\d+) To (\d+)", constraints):
        schema["pattern"] = VALUE_RANGES["-".join(g for g in m.groups() if g)]
    if m := re.search(r"Must be: (\S+)", constraints):
        schema["const"] = m.group(1)
    pattern = REGEX_FIXES.get(regex.group(1), regex.group(1)) if regex else None
    # JSON Schema regexes are ECMA-262: \d is ASCII there but Unicode in Python's re.
    pattern = pattern.replace(r"\d", "[0-9]") if pattern else None
    if one_of:
        values = expand(one_of.group(1))
        if pattern:
            values += [f"{n}" for n in range(80, 100) if re.fullmatch(pattern, str(n))]
        schema["enum"] = sorted(set(values), key=values.index)
    elif pattern:
        schema["pattern"] = pattern
    return schema


def field_schema(row: dict) -> dict:
    """The property schema for one table row."""
    kind, constraints = row["type"], row.get("constraints", "")
    if kind == "bool":
        return {"const": True} if "Must be: true" in constraints else {"type": "boolean"}
    if kind == "json":
        return {}
    if kind.startswith("Array of"):
        item = kind.removeprefix("Array of ").removesuffix(" object")
        items = {"$ref": f"#/$defs/{item}"} if item in OBJECT_REFS else None
        limits = {"minItems": 1}
        if m := re.search(r"Max length: (\d+)", constraints):
            limits["maxItems"] = int(m.group(1))
        if items is None:
            items = string_schema(re.sub(r"(Min|Max) length: \d+", "", constraints))
            items = {"type": "object"} if item != "string" else items
        return {"type": "array", "items": items, **limits}
    if kind.endswith(" object"):
        name = kind.removesuffix(" object")
        return {"$ref": f"#/$defs/{name}"} if name in OBJECT_REFS else {"type": "object"}
    return string_schema(constraints)


def atom(text: str, names: set[str]) -> dict | None:
    """One ``X is …`` test as a schema, or None when X is not in the message."""
    m = re.fullmatch(r'(\w+) is (not )?(?:one of \[(.*)\]|"(.*)"|(true)|(empty))', text.strip())
    if not m:
        raise ValueError(f"cannot read condition {text!r}")
    name, negate, many, one, true, empty = m.groups()
    if empty:
        test: dict = {"required": [name]}
        negate = None
    else:
        value = {"enum": many.split(", ")} if many else {"const": True if true else one}
        test = {"properties": {name: value}, "required": [name]}
    if name in NESTED_CONDITION_FIELDS:
        name = NESTED_CONDITION_FIELDS[name]
        test = {"properties": {name: test}, "required": [name]}
    if name not in names:
        return None
    return {"not": test} if negate else test


def clause(text: str, names: set[str]) -> dict | None:
    """``A and (B or C)`` as a schema; None when any part names an absent field."""
    parts = []
    for term in re.split(r" and (?![^(]*\))", text):
        options = [atom(t, names) for t in term.strip().strip("()").split(" or ")]
        if any(o is None for o in options):
            return None
        parts.append(options[0] if len(options) == 1 else {"anyOf": options})
    return parts[0] if len(parts) == 1 else {"allOf": parts}


def condition_text(text: str, names: set[str]) -> list[dict | None]:
    """The alternatives of one ``conditions`` entry.

    ``Required if messageCategory is "01" ; Required if transStatus is …`` means both at once
    (PA *and* that status): the tables give NPA as Optional for those rows.  Otherwise the
    ``;``-separated clauses are alternatives.
    """
    pieces = re.findall(r"Required if (.*?) ;", text)
    payment = 'messageCategory is "01"'
    others = [p for p in pieces if p != payment]
    if payment in pieces and others and not any("messageCategory" in p for p in others):
        parts = [clause(payment, names), *(clause(p, names) for p in others)]
        if parts[0] is None:
            return parts[1:]
        rest = [p for p in parts[1:] if p is not None]
        either = rest[0] if len(rest) == 1 else {"anyOf": rest}
        return [{"allOf": [parts[0], either]}] if rest else []
    return [clause(p, names) for p in pieces]


def conditions(row: dict, names: set[str]) -> list[dict]:
    """Every ``if`` under which this row is required."""
    found: list[dict | None] = []
    if "deviceChannel" not in names and channel_test(row):
        return []  # a one-channel rule in a message that does not say its channel
    for text in row.get("conditions", []):
        found += condition_text(text, names)
    by_key = row.get("inclusion_by_channel/category", {})
    for key, inclusion in by_key.items():
        channel, category = key.split("/")
        if "*" not in key and "Required" in (
            by_key.get(f"*/{category}"),
            by_key.get(f"{channel}/*"),
        ):
            continue  # covered by the wildcard rule
        test = {"deviceChannel": channel, "messageCategory": category}
        test = {k: v for k, v in test.items() if v != "*"}
        if inclusion == "Required" and test and set(test) <= names:
            found.append(
                {"properties": {k: {"const": v} for k, v in test.items()}, "required": sorted(test)}
            )
    if row["inclusion"] == "Required" and "deviceChannel" in names:
        found.append(channel_test(row))
    unique = {json.dumps(f, sort_keys=True): f for f in found if f is not None}
    return [unique[k] for k in sorted(unique)]


def channel_test(row: dict) -> dict | None:
    """A Required row limited to some channels is required on those channels only."""
    channels = row.get("channels") or "APP BRW 3RI"
    codes = sorted(CHANNELS[c] for c in channels.split())
    if len(codes) == 3:
        return None
    return {"properties": {"deviceChannel": {"enum": codes}}, "required": ["deviceChannel"]}


def object_def(rows: list[dict], *, strict: bool) -> dict:
    """A closed-over-nothing object schema for a nested table."""
    props = {r["name"]: tighten(field_schema(r), strict) for r in rows}
    required = [r["name"] for r in rows if r["inclusion"] == "Required"]
    return {"type": "object", "properties": props, **({"required": required} if required else {})}


def tighten(schema: dict, strict: bool) -> dict:
    """Outgoing strings must not be empty; incoming emptiness is judged by the validator."""
    if strict and schema.get("type") == "string" and "minLength" not in schema:
        return {**schema, "minLength": 1}
    return schema


def build(fields_dir: Path, message: str, version: str) -> dict:
    """The schema of ``message`` in ``version``."""
    strict = message in OUTGOING
    stem = message.lower()
    rows = rres_table(version) if message == "RRes" else table(fields_dir, stem, version)
    rows = [r for r in rows if r["name"] not in DROP.get(message, ())]
    rows += [r for r in EXTRA.get(message, []) if version in r.get("versions", VERSIONS)]
    rows = list({r["name"]: r for r in rows}.values())
    names = {r["name"] for r in rows}
    props = {r["name"]: tighten(field_schema(r), strict) for r in rows}
    required = [r["name"] for r in rows if r["inclusion"] == "Required" and not channel_test(r)]
    required += [n for n in REQUIRED.get(message, ()) if n not in required]
    rules = merged_rules(rows, names)
    rules += extra_conditions(message, rows)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://acs.example/schemas/{version}/{message}.json",
        "title": f"{message} {version}",
        "type": "object",
        "properties": props,
        "required": sorted(set(required), key=required.index),
        "$defs": defs(fields_dir, version, props, strict),
    }
    if rules:
        schema["allOf"] = rules
    if strict:
        schema["additionalProperties"] = False
    return schema


def merged_rules(rows: list[dict], names: set[str]) -> list[dict]:
    """One ``if``/``then`` per distinct condition, requiring every field it governs."""
    grouped: dict[str, list[str]] = {}
    for r in rows:
        if r["inclusion"] != "Optional" or r.get("conditions"):
            for test in conditions(r, names):
                grouped.setdefault(json.dumps(test, sort_keys=True), []).append(r["name"])
    return [{"if": json.loads(k), "then": {"required": v}} for k, v in sorted(grouped.items())]


def defs(fields_dir: Path, version: str, props: dict, strict: bool) -> dict:
    """The nested object schemas referenced from ``props`` (transitively)."""
    out: dict = {}
    pending = re.findall(r'"#/\$defs/(\w+)"', json.dumps(props))
    while pending:
        name = pending.pop()
        if name in out:
            continue
        if OBJECT_REFS[name] is None:
            out[name] = INLINE_DEFS[name]
            continue
        rows = table(fields_dir, OBJECT_REFS[name], version)
        rows += [r for r in EXTRA.get(name, []) if version in r.get("versions", VERSIONS)]
        out[name] = object_def(list({r["name"]: r for r in rows}.values()), strict=strict)
        pending += re.findall(r'"#/\$defs/(\w+)"', json.dumps(out[name]))
    return out


def main(argv: list[str]) -> None:
    """Write every schema, one file per (version, message)."""
    fields_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "spec" / "fields"
    out_dir = Path(argv[2]) if len(argv) > 2 else ROOT / "schemas"
    for version in VERSIONS:
        for message in ("AReq", "ARes", "CReq", "CRes", "RReq", "RRes", "Erro"):
            path = out_dir / version / f"{message}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(build(fields_dir, message, version), indent=1, sort_keys=True)
            path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
