"""The messages the DS builds itself: the AReq additions, its Erro, the PRes-like range list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from merchant_simulator.ds.config import ALL_VERSIONS, AcsRange

__all__ = ["ds_erro", "enrich_areq", "range_list"]

_IDS = ("threeDSServerTransID", "dsTransID", "acsTransID", "sdkTransID")
_DESCRIPTIONS = {
    "101": "Message received invalid",
    "301": "Transaction ID not recognised",
    "305": "Transaction data not valid",
    "402": "Transaction timed out",
    "405": "System connection failure",
}


def enrich_areq(
    areq: Mapping[str, Any], *, ds_trans_id: str, ds_url: str, reference_number: str
) -> dict[str, Any]:
    """The AReq as the ACS receives it: the DS's own ids and its RReq URL added."""
    return {
        **areq,
        "dsTransID": ds_trans_id,
        "dsReferenceNumber": reference_number,
        "dsURL": ds_url,
    }


def ds_erro(
    code: str, detail: str, *, about: Mapping[str, Any], message_type: str
) -> dict[str, Any]:
    """An Erro detected by the DS (errorComponent D), quoting the ids ``about`` carries."""
    erro = {
        "messageType": "Erro",
        "messageVersion": _version(about),
        "errorCode": code,
        "errorComponent": "D",
        "errorDescription": _DESCRIPTIONS.get(code, "Error"),
        "errorDetail": detail,
        "errorMessageType": message_type,
    }
    erro.update({k: about[k] for k in _IDS if isinstance(about.get(k), str) and about[k]})
    return erro


def range_list(ranges: Iterable[AcsRange], *, serial: str = "1") -> dict[str, Any]:
    """A PRes-like card range list: each range with its versions and 3DS Method URL."""
    return {
        "messageType": "PRes",
        "messageVersion": "2.2.0",
        "serialNum": serial,
        "dsStartProtocolVersion": ALL_VERSIONS[0],
        "dsEndProtocolVersion": ALL_VERSIONS[-1],
        "cardRangeData": [_range_data(r) for r in ranges],
    }


def _range_data(item: AcsRange) -> dict[str, Any]:
    data = {
        "startRange": str(item.start),
        "endRange": str(item.end),
        "actionInd": "A",
        "acsStartProtocolVersion": item.versions[0],
        "acsEndProtocolVersion": item.versions[-1],
        "acsProtocolVersions": list(item.versions),
        "acsInfoInd": ["01"],
    }
    if item.method_url:
        data["threeDSMethodURL"] = item.method_url
    return data


def _version(message: Mapping[str, Any]) -> str:
    version = message.get("messageVersion")
    return version if version in ALL_VERSIONS else "2.2.0"
