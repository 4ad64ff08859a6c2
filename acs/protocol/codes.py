"""Wire codes of EMV 3DS 2.1.0 / 2.2.0 / 2.3.1 as StrEnums holding the wire value.

Tables are cited from ``emv3ds.md`` §3 (EMVCo Core Spec Annex A).  Unknown values are not
tolerated: a code outside these enums is a 203 at the schema layer.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

SUPPORTED_VERSIONS: tuple[str, ...] = ("2.1.0", "2.2.0", "2.3.1")


class MessageType(StrEnum):
    """messageType (§1.1); OReq/ORes exist only in 2.3.1."""

    AREQ = "AReq"
    ARES = "ARes"
    CREQ = "CReq"
    CRES = "CRes"
    RREQ = "RReq"
    RRES = "RRes"
    ERRO = "Erro"
    PREQ = "PReq"
    PRES = "PRes"
    OREQ = "OReq"
    ORES = "ORes"


class ErrorCode(StrEnum):
    """errorCode (§3.3); 205-207 and 308-315 are 2.3.1 only."""

    MESSAGE_INVALID = "101"
    VERSION_NOT_SUPPORTED = "102"
    SENT_MESSAGES_LIMIT_EXCEEDED = "103"
    REQUIRED_ELEMENT_MISSING = "201"
    CRITICAL_EXTENSION_NOT_RECOGNISED = "202"
    INVALID_FORMAT = "203"
    DUPLICATE_ELEMENT = "204"
    CARD_RANGE_OVERLAP = "205"
    CARD_RANGE_ACTION_IMPOSSIBLE = "206"
    RESERVED_VALUE = "207"
    TRANSACTION_ID_NOT_RECOGNISED = "301"
    DECRYPTION_FAILURE = "302"
    ACCESS_DENIED = "303"
    ISO_CODE_INVALID = "304"
    TRANSACTION_DATA_INVALID = "305"
    MCC_INVALID = "306"
    SERIAL_NUMBER_INVALID = "307"
    SIGNATURE_VERIFICATION_FAILURE = "308"
    CONTENT_SECURITY_POLICY_FAILED = "309"
    INCORRECT_ALGORITHM = "310"
    INCORRECT_KID = "311"
    DUPLICATE_MESSAGE = "312"
    INCONSISTENT_RREQ = "313"
    MULTIPLE_CREQ_NOT_SUPPORTED = "314"
    CREQ_AFTER_RREQ = "315"
    TRANSACTION_TIMED_OUT = "402"
    TRANSIENT_SYSTEM_FAILURE = "403"
    PERMANENT_SYSTEM_FAILURE = "404"
    SYSTEM_CONNECTION_FAILURE = "405"


class TransStatus(StrEnum):
    """transStatus (§3.1, Table A.17): D and I from 2.2.0, S from 2.3.1."""

    AUTHENTICATED = "Y"
    NOT_AUTHENTICATED = "N"
    NOT_PERFORMED = "U"
    ATTEMPTED = "A"
    CHALLENGE_REQUIRED = "C"
    REJECTED = "R"
    DECOUPLED = "D"
    INFORMATIONAL = "I"
    SPC_CHALLENGE = "S"


class TransStatusReason(StrEnum):
    """transStatusReason (§3.2): 01-21 in 2.1.0, 01-26 in 2.2.0, 01-30 in 2.3.1."""

    CARD_AUTHENTICATION_FAILED = "01"
    UNKNOWN_DEVICE = "02"
    UNSUPPORTED_DEVICE = "03"
    EXCEEDS_FREQUENCY_LIMIT = "04"
    EXPIRED_CARD = "05"
    INVALID_CARD_NUMBER = "06"
    INVALID_TRANSACTION = "07"
    NO_CARD_RECORD = "08"
    SECURITY_FAILURE = "09"
    STOLEN_CARD = "10"
    SUSPECTED_FRAUD = "11"
    NOT_PERMITTED_TO_CARDHOLDER = "12"
    CARDHOLDER_NOT_ENROLLED = "13"
    TIMED_OUT_AT_ACS = "14"
    LOW_CONFIDENCE = "15"
    MEDIUM_CONFIDENCE = "16"
    HIGH_CONFIDENCE = "17"
    VERY_HIGH_CONFIDENCE = "18"
    EXCEEDS_MAX_CHALLENGES = "19"
    NPA_NOT_SUPPORTED = "20"
    THREE_RI_NOT_SUPPORTED = "21"
    ACS_TECHNICAL_ISSUE = "22"
    DECOUPLED_REQUIRED_NOT_REQUESTED = "23"
    DECOUPLED_MAX_EXPIRY_EXCEEDED = "24"
    DECOUPLED_TOO_LITTLE_TIME = "25"
    ATTEMPTED_NOT_PERFORMED = "26"
    PREFERRED_METHOD_NOT_SUPPORTED = "27"
    CSP_VALIDATION_FAILED = "28"
    FALLBACK_TO_DECOUPLED = "29"
    RESTART_AS_DECOUPLED = "30"


class DeviceChannel(StrEnum):
    """deviceChannel (§3.5)."""

    APP = "01"
    BROWSER = "02"
    THREE_RI = "03"


class MessageCategory(StrEnum):
    """messageCategory (§3.5)."""

    PAYMENT = "01"
    NON_PAYMENT = "02"


class ChallengeInd(StrEnum):
    """threeDSRequestorChallengeInd (§3.7): 01-04 in 2.1.0, to 09 in 2.2.0, to 14 in 2.3.1."""

    NO_PREFERENCE = "01"
    NO_CHALLENGE = "02"
    CHALLENGE_PREFERRED = "03"
    CHALLENGE_MANDATED = "04"
    NO_CHALLENGE_TRA_DONE = "05"
    NO_CHALLENGE_DATA_SHARE_ONLY = "06"
    NO_CHALLENGE_SCA_DONE = "07"
    NO_CHALLENGE_TRUST_LIST = "08"
    CHALLENGE_TRUST_LIST_PROMPT = "09"
    NO_CHALLENGE_LOW_VALUE = "10"
    NO_CHALLENGE_SECURE_CORPORATE = "11"
    CHALLENGE_DEVICE_BINDING_PROMPT = "12"
    CHALLENGE_ISSUER_REQUESTED = "13"
    CHALLENGE_MERCHANT_INITIATED = "14"


class ChallengeCancel(StrEnum):
    """challengeCancel (§3.4); 02 is reserved from 2.2.0, 09/10 are 2.3.1 only."""

    CARDHOLDER_CANCELLED = "01"
    REQUESTOR_CANCELLED = "02"
    ABANDONED_OR_DECOUPLED_TIMEOUT = "03"
    TIMED_OUT_AT_ACS = "04"
    FIRST_CREQ_NOT_RECEIVED = "05"
    TRANSACTION_ERROR = "06"
    UNKNOWN = "07"
    TIMED_OUT_AT_SDK = "08"
    ERRO_AFTER_CRES = "09"
    ERRO_AFTER_CREQ = "10"


class AuthenticationType(StrEnum):
    """authenticationType (§3.9; 2.1.0/2.2.0): 04 decoupled from 2.2.0."""

    STATIC = "01"
    DYNAMIC = "02"
    OOB = "03"
    DECOUPLED = "04"


class AuthenticationMethod(StrEnum):
    """authenticationMethod items (§3.9; 2.3.1)."""

    STATIC_PASSCODE = "01"
    SMS_OTP = "02"
    KEY_FOB_OTP = "03"
    APP_OTP = "04"
    OTP_OTHER = "05"
    KBA = "06"
    OOB_BIOMETRICS = "07"
    OOB_LOGIN = "08"
    OOB_OTHER = "09"
    OTHER = "10"
    PUSH_CONFIRMATION = "11"
    DECOUPLED = "12"
    WEBAUTHN = "13"
    SPC = "14"
    BEHAVIOURAL_BIOMETRICS = "15"
    ELECTRONIC_ID = "16"


class AcsInterface(StrEnum):
    """acsRenderingType.acsInterface (§3.10): the SDK's own screens or an HTML page."""

    NATIVE = "01"
    HTML = "02"


class AcsUiType(StrEnum):
    """acsUiType of a CRes, and acsRenderingType.acsUiTemplate (§3.10); 06/07 are 2.3.1 only."""

    TEXT = "01"
    SINGLE_SELECT = "02"
    MULTI_SELECT = "03"
    OOB = "04"
    HTML_OTHER = "05"
    HTML_OOB = "06"
    INFORMATION = "07"


class TransChallengeExemption(StrEnum):
    """transChallengeExemption (§3.11; 2.3.1 ARes)."""

    TRA = "05"
    TRUST_LIST = "08"
    LOW_VALUE = "10"
    SECURE_CORPORATE = "11"
    NO_EXEMPTION = "79"


class ChallengeWindowSize(StrEnum):
    """challengeWindowSize (§2.8): width × height in CSS pixels; 05 is full screen."""

    SIZE_250X400 = "01"
    SIZE_390X400 = "02"
    SIZE_500X600 = "03"
    SIZE_600X400 = "04"
    FULL_SCREEN = "05"

    @property
    def pixels(self) -> tuple[int, int] | None:
        """(width, height), or None for full screen."""
        return _WINDOW_PIXELS.get(self)


_WINDOW_PIXELS = {
    ChallengeWindowSize.SIZE_250X400: (250, 400),
    ChallengeWindowSize.SIZE_390X400: (390, 400),
    ChallengeWindowSize.SIZE_500X600: (500, 600),
    ChallengeWindowSize.SIZE_600X400: (600, 400),
}


class ResultsStatus(StrEnum):
    """resultsStatus of the RRes (§2.6); 04 is 2.3.1 only."""

    RECEIVED = "01"
    CREQ_NOT_SENT = "02"
    ARES_NOT_DELIVERED = "03"
    DECOUPLED_FALLBACK = "04"


Where = Literal["ARes", "RReq", "CRes"]
_S = TransStatus
_STATUSES: dict[tuple[str, Where], frozenset[TransStatus]] = {}
for _v, _extra in (("2.1.0", ""), ("2.2.0", "DI"), ("2.3.1", "DIS")):
    _STATUSES[_v, "ARes"] = frozenset(_S(c) for c in "YNUACR" + _extra)
    _STATUSES[_v, "RReq"] = frozenset(_S(c) for c in "YNUAR" + ("D" if _v == "2.3.1" else ""))
    _STATUSES[_v, "CRes"] = frozenset(_S(c) for c in "YN" + ("D" if _v == "2.3.1" else ""))
_LAST_REASON = {"2.1.0": 21, "2.2.0": 26, "2.3.1": 30}
_CANCELS = {
    "2.1.0": frozenset(["01", "02", "03", "04", "05", "06", "07", "08"]),
    "2.2.0": frozenset(["01", "03", "04", "05", "06", "07", "08"]),
    "2.3.1": frozenset(["01", "03", "04", "05", "06", "07", "08", "09", "10"]),
}


def trans_status_allowed(version: str, status: str, where: Where = "ARes") -> bool:
    """Whether ``status`` may be sent in ``where`` in ``version`` (§3.1, §8)."""
    return status in _STATUSES.get((version, where), frozenset())


def reason_allowed(version: str, reason: str) -> bool:
    """Whether an ACS may send transStatusReason ``reason`` in ``version`` (§3.2; 80-99 are DS)."""
    last = _LAST_REASON.get(version)
    return last is not None and reason.isdigit() and len(reason) == 2 and 1 <= int(reason) <= last


def challenge_cancel_allowed(version: str, cancel: str) -> bool:
    """Whether challengeCancel ``cancel`` exists in ``version`` (§3.4)."""
    return cancel in _CANCELS.get(version, frozenset())
