"""Build AReqs for tests from the real-shaped vectors in tests/vectors/areq/."""

from __future__ import annotations

import copy
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent / "vectors" / "areq"

CHANNELS = {"01": "app", "02": "browser", "03": "3ri"}


@cache
def _vector(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def vector_names() -> list[str]:
    return sorted(p.stem for p in VECTORS.glob("*.json"))


def areq(
    version: str = "2.2.0", channel: str = "browser", category: str = "pa", **fields: Any
) -> dict[str, Any]:
    """A valid AReq with fresh transaction ids; ``fields`` override (None removes a field)."""
    message = copy.deepcopy(_vector(f"{version}-{channel}-{category}"))
    message["threeDSServerTransID"] = str(uuid.uuid4())
    message["dsTransID"] = str(uuid.uuid4())
    if "sdkTransID" in message:
        message["sdkTransID"] = str(uuid.uuid4())
    for key, value in fields.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    return message


def amount(message: dict[str, Any], minor: int) -> dict[str, Any]:
    message["purchaseAmount"] = str(minor)
    return message
