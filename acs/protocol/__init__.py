"""The EMV 3DS wire-format layer: codes, parsing, schema validation, Erro building."""

from acs.protocol.amounts import currency_alpha, format_amount
from acs.protocol.codes import (
    SUPPORTED_VERSIONS,
    AuthenticationMethod,
    AuthenticationType,
    ChallengeCancel,
    ChallengeInd,
    ChallengeWindowSize,
    DeviceChannel,
    ErrorCode,
    MessageCategory,
    MessageType,
    ResultsStatus,
    TransChallengeExemption,
    TransStatus,
    TransStatusReason,
    challenge_cancel_allowed,
    reason_allowed,
    trans_status_allowed,
)
from acs.protocol.encoding import Base64Error, b64url_decode, b64url_encode, clean
from acs.protocol.errors import OutgoingMessageInvalid, ProtocolError
from acs.protocol.parsing import known_ids, parse_json
from acs.protocol.validation import FORMAT_CHECKER, preload, validate_incoming, validate_outgoing

__all__ = [
    "FORMAT_CHECKER",
    "SUPPORTED_VERSIONS",
    "AuthenticationMethod",
    "AuthenticationType",
    "Base64Error",
    "ChallengeCancel",
    "ChallengeInd",
    "ChallengeWindowSize",
    "DeviceChannel",
    "ErrorCode",
    "MessageCategory",
    "MessageType",
    "OutgoingMessageInvalid",
    "ProtocolError",
    "ResultsStatus",
    "TransChallengeExemption",
    "TransStatus",
    "TransStatusReason",
    "b64url_decode",
    "b64url_encode",
    "challenge_cancel_allowed",
    "clean",
    "currency_alpha",
    "format_amount",
    "known_ids",
    "parse_json",
    "preload",
    "reason_allowed",
    "trans_status_allowed",
    "validate_incoming",
    "validate_outgoing",
]
