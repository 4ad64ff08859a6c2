"""The one reader of JSON request bodies for the device and back-office APIs.

A body that is not JSON, or not the object a route expects, is a 400 ``malformed_body``.
"""

from __future__ import annotations

import json
from typing import Any

from acs.flows.securpass.errors import InvalidRequest

__all__ = ["read_json", "read_object"]


def read_json(body: bytes, *, empty: bytes = b"null") -> Any:
    """The parsed body; an empty body reads as ``empty``."""
    try:
        return json.loads(body or empty)
    except ValueError:
        raise InvalidRequest("malformed_body", "the body is not JSON") from None


def read_object(body: bytes, *, empty: bytes = b"{}") -> dict[str, Any]:
    """The parsed body, which must be a JSON object."""
    data = read_json(body, empty=empty)
    if not isinstance(data, dict):
        raise InvalidRequest("malformed_body", "the body must be a JSON object")
    return data
