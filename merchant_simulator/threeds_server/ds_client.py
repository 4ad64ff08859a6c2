"""The 3DS Server's calls to the DS: the card range list and the AReq."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

__all__ = ["fetch_ranges", "local_erro", "send_areq"]

log = logging.getLogger("merchant_simulator.threeds_server")


async def fetch_ranges(http: aiohttp.ClientSession, ds_url: str) -> dict[str, Any]:
    """The DS card range list (PRes-like); empty when the DS cannot be reached."""
    try:
        async with http.get(f"{ds_url.rstrip('/')}/ranges") as response:
            response.raise_for_status()
            ranges = json.loads(await response.read())
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("card ranges unavailable from %s: %s", ds_url, exc)
        return {}
    return ranges if isinstance(ranges, dict) else {}


async def send_areq(
    http: aiohttp.ClientSession, ds_url: str, areq: dict[str, Any]
) -> dict[str, Any]:
    """POST the AReq to the DS; the ARes or Erro, or a local Erro when the DS fails."""
    try:
        async with http.post(f"{ds_url.rstrip('/')}/areq", json=areq) as response:
            answer = json.loads(await response.read())
    except TimeoutError:
        return local_erro("402", "DS did not answer in time", areq)
    except (aiohttp.ClientError, ValueError) as exc:
        log.warning("AReq to %s failed: %s", ds_url, exc)
        return local_erro("405", "DS unreachable or answered no JSON", areq)
    if not isinstance(answer, dict) or answer.get("messageType") not in ("ARes", "Erro"):
        return local_erro("101", "DS answer is neither ARes nor Erro", areq)
    return answer


def local_erro(code: str, description: str, message: dict[str, Any]) -> dict[str, Any]:
    """An Erro detected by this 3DS Server (errorComponent S)."""
    erro = {
        "messageType": "Erro",
        "messageVersion": message.get("messageVersion", "2.2.0"),
        "errorCode": code,
        "errorComponent": "S",
        "errorDescription": description,
        "errorDetail": description,
    }
    if "threeDSServerTransID" in message:
        erro["threeDSServerTransID"] = message["threeDSServerTransID"]
    return erro
