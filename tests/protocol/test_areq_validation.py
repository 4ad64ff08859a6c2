"""AReq validation: every vector passes, and each Erro code is raised with its errorDetail."""

from __future__ import annotations

import json

import pytest

from acs.protocol import ErrorCode, MessageType, ProtocolError, parse_json, validate_incoming
from tests.protocol.conftest import VECTORS, load_vector

AREQ_VECTORS = sorted(p.name for p in (VECTORS / "areq").glob("*.json"))


def reject(message: dict, **kw: object) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        validate_incoming(message, expected=MessageType.AREQ, **kw)
    return caught.value


def test_there_is_a_vector_per_version_and_kind() -> None:
    """Each version has browser PA/NPA, app PA and 3RI PA/NPA vectors."""
    assert len(AREQ_VECTORS) == 15


@pytest.mark.parametrize("name", AREQ_VECTORS)
def test_vector_is_valid(name: str) -> None:
    """Every real-shaped AReq vector validates and yields its own version."""
    message = load_vector(f"areq/{name}")
    assert validate_incoming(message, expected=MessageType.AREQ) == name[:5]


def test_app_vector_key_is_a_real_p256_point() -> None:
    """sdkEphemPubKey in the app vectors loads as a P-256 public key."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from acs.protocol import b64url_decode

    jwk = load_vector("areq/2.3.1-app-pa.json")["sdkEphemPubKey"]
    x, y = (int.from_bytes(b64url_decode(jwk[k]), "big") for k in ("x", "y"))
    assert ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def test_not_json_is_101() -> None:
    """A body that is not JSON is a 101."""
    with pytest.raises(ProtocolError) as caught:
        parse_json(b"messageType=AReq")
    assert caught.value.code is ErrorCode.MESSAGE_INVALID


def test_not_an_object_is_101() -> None:
    """A JSON array is not a message: 101."""
    with pytest.raises(ProtocolError) as caught:
        parse_json(b"[1, 2]")
    assert caught.value.code is ErrorCode.MESSAGE_INVALID


@pytest.mark.parametrize("kind", ["ARes", "Hello", 7, None])
def test_wrong_message_type_is_101(browser_areq: dict, kind: object) -> None:
    """A messageType other than the expected one (or not a string) is a 101."""
    error = reject(browser_areq | {"messageType": kind})
    assert (error.code, error.detail) == (ErrorCode.MESSAGE_INVALID, "messageType")


def test_unsupported_version_is_102_listing_versions(browser_areq: dict) -> None:
    """messageVersion 2.0.0 is a 102 whose detail lists the supported versions."""
    error = reject(browser_areq | {"messageVersion": "2.0.0"})
    assert (error.code, error.detail) == (ErrorCode.VERSION_NOT_SUPPORTED, "2.1.0,2.2.0,2.3.1")


def test_missing_version_is_201(browser_areq: dict) -> None:
    """No messageVersion at all is a 201 naming it."""
    del browser_areq["messageVersion"]
    error = reject(browser_areq)
    assert (error.code, error.detail) == (ErrorCode.REQUIRED_ELEMENT_MISSING, "messageVersion")


def test_missing_fields_are_201_all_listed(browser_areq: dict) -> None:
    """Every missing required element is named, comma-separated."""
    del browser_areq["acctNumber"], browser_areq["dsTransID"]
    error = reject(browser_areq)
    assert error.code is ErrorCode.REQUIRED_ELEMENT_MISSING
    assert set(error.detail.split(",")) == {"acctNumber", "dsTransID"}


@pytest.mark.parametrize("empty", ["", None, []])
def test_empty_required_field_is_201(browser_areq: dict, empty: object) -> None:
    """A required element sent empty or null counts as missing (201)."""
    error = reject(browser_areq | {"acctNumber": empty})
    assert (error.code, error.detail) == (ErrorCode.REQUIRED_ELEMENT_MISSING, "acctNumber")


def test_notification_url_required_for_browser(browser_areq: dict) -> None:
    """notificationURL is conditionally required on the browser channel."""
    del browser_areq["notificationURL"]
    assert reject(browser_areq).detail == "notificationURL"


def test_purchase_amount_required_for_payment(browser_areq: dict) -> None:
    """purchaseAmount is conditionally required when messageCategory is 01."""
    del browser_areq["purchaseAmount"]
    error = reject(browser_areq)
    assert (error.code, error.detail) == (ErrorCode.REQUIRED_ELEMENT_MISSING, "purchaseAmount")


def test_browser_details_required_when_javascript_enabled(browser_areq: dict) -> None:
    """With browserJavascriptEnabled true (2.2.0), screen and TZ data are required."""
    del browser_areq["browserTZ"]
    assert reject(browser_areq).detail == "browserTZ"
    browser_areq["browserJavascriptEnabled"] = False
    assert validate_incoming(browser_areq, expected=MessageType.AREQ) == "2.2.0"


def test_bad_date_is_203(browser_areq: dict) -> None:
    """A purchaseDate that is not YYYYMMDDHHMMSS, or not a real date, is a 203."""
    for bad in ("2026-11-29", "20261331081500"):
        error = reject(browser_areq | {"purchaseDate": bad})
        assert (error.code, error.detail) == (ErrorCode.INVALID_FORMAT, "purchaseDate")


def test_nested_bad_value_is_203_with_parent_path(browser_areq: dict) -> None:
    """A bad acctInfo.chAccAgeInd is named as parent.child."""
    browser_areq["acctInfo"]["chAccAgeInd"] = "09"
    error = reject(browser_areq)
    assert (error.code, error.detail) == (ErrorCode.INVALID_FORMAT, "acctInfo.chAccAgeInd")


def test_several_bad_formats_all_listed(browser_areq: dict) -> None:
    """All 203 offenders are listed in errorDetail."""
    error = reject(browser_areq | {"purchaseDate": "x", "browserTZ": "GMT+1"})
    assert set(error.detail.split(",")) == {"purchaseDate", "browserTZ"}


def test_201_wins_over_203(browser_areq: dict) -> None:
    """With both a missing and a malformed element, the 201 is reported."""
    del browser_areq["acctNumber"]
    error = reject(browser_areq | {"purchaseDate": "x"})
    assert (error.code, error.detail) == (ErrorCode.REQUIRED_ELEMENT_MISSING, "acctNumber")


def test_field_forbidden_by_channel_is_203(app_areq: dict) -> None:
    """A browser-only element in an app AReq is present where its condition forbids it."""
    error = reject(app_areq | {"browserUserAgent": "Mozilla/5.0"})
    assert (error.code, error.detail) == (ErrorCode.INVALID_FORMAT, "browserUserAgent")


def test_empty_optional_field_is_203(browser_areq: dict) -> None:
    """An optional known element sent as an empty string is a 203 (Req 309)."""
    error = reject(browser_areq | {"email": ""})
    assert (error.code, error.detail) == (ErrorCode.INVALID_FORMAT, "email")


def test_unknown_fields_are_ignored(browser_areq: dict) -> None:
    """Lenient input: unknown elements, even empty ones, do not cause rejection."""
    message = browser_areq | {"someFutureField": {"x": 1}, "vendorBlank": ""}
    assert validate_incoming(message, expected=MessageType.AREQ) == "2.2.0"


def test_critical_unknown_extension_is_202(browser_areq: dict) -> None:
    """A critical extension whose id is not recognised is a 202 naming the id."""
    extension = {"name": "x", "id": "A000000004-x", "criticalityIndicator": True, "data": {"v": 1}}
    message = browser_areq | {"messageExtension": [extension]}
    error = reject(message)
    assert (error.code, error.detail) == (
        ErrorCode.CRITICAL_EXTENSION_NOT_RECOGNISED,
        "A000000004-x",
    )
    recognised = frozenset({"A000000004-x"})
    assert validate_incoming(message, expected=MessageType.AREQ, recognised_extensions=recognised)


def test_non_critical_unknown_extension_is_ignored(browser_areq: dict) -> None:
    """A non-critical unknown extension passes."""
    extension = {"name": "x", "id": "A000000004-x", "criticalityIndicator": False, "data": {"v": 1}}
    assert validate_incoming(
        browser_areq | {"messageExtension": [extension]}, expected=MessageType.AREQ
    )


def test_duplicate_key_is_204(browser_areq: dict) -> None:
    """A key given twice is a 204 naming it."""
    body = json.dumps(browser_areq)[:-1] + ', "acctNumber": "4970100000000000"}'
    with pytest.raises(ProtocolError) as caught:
        parse_json(body.encode())
    assert (caught.value.code, caught.value.detail) == (ErrorCode.DUPLICATE_ELEMENT, "acctNumber")


def test_231_challenge_ind_must_be_an_array() -> None:
    """In 2.3.1 threeDSRequestorChallengeInd is an array; a bare string is a 203."""
    message = load_vector("areq/2.3.1-browser-pa.json") | {"threeDSRequestorChallengeInd": "01"}
    assert reject(message).detail == "threeDSRequestorChallengeInd"


def test_app_areq_requires_device_info(app_areq: dict) -> None:
    """The AReq reaching the ACS carries deviceInfo on the app channel."""
    del app_areq["deviceInfo"]
    assert reject(app_areq).detail == "deviceInfo"
