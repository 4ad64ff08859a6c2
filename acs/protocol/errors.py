"""The wire-format error family, and the one place it becomes an Erro message.

Exception tree::

    ProtocolError               a condition the spec answers with an Erro (code, detail)
    OutgoingMessageInvalid      a message the ACS was about to send breaks its schema (a bug)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acs.protocol.codes import SUPPORTED_VERSIONS, ErrorCode, MessageType

# Erro for a message whose own version is unusable goes out in the most deployed version.
FALLBACK_VERSION = "2.2.0"
ID_FIELDS = ("threeDSServerTransID", "dsTransID", "acsTransID", "sdkTransID")
_DESCRIPTIONS = {
    ErrorCode.MESSAGE_INVALID: "Message received invalid",
    ErrorCode.VERSION_NOT_SUPPORTED: "Message version number not supported",
    ErrorCode.REQUIRED_ELEMENT_MISSING: "A required data element is missing",
    ErrorCode.CRITICAL_EXTENSION_NOT_RECOGNISED: "Critical message extension not recognised",
    ErrorCode.INVALID_FORMAT: "Format of one or more data elements is invalid",
    ErrorCode.DUPLICATE_ELEMENT: "Duplicate data element",
    ErrorCode.ACCESS_DENIED: "Access denied, invalid endpoint",
    ErrorCode.TRANSACTION_DATA_INVALID: "Transaction data not valid",
    ErrorCode.TRANSACTION_TIMED_OUT: "Transaction timed out",
    ErrorCode.TRANSIENT_SYSTEM_FAILURE: "Transient system failure",
    ErrorCode.PERMANENT_SYSTEM_FAILURE: "Permanent system failure",
}


class ProtocolError(Exception):
    """A protocol violation to be answered with an Erro (§2.7, §3.3).

    ``detail`` names the offending elements, comma-separated, children as ``parent.child``.
    """

    def __init__(
        self,
        code: ErrorCode,
        detail: str,
        description: str | None = None,
        *,
        message_type: str | None = None,
    ) -> None:
        self.code = ErrorCode(code)
        self.detail = detail
        self.description = description or _DESCRIPTIONS.get(self.code, "Error")
        self.message_type = message_type
        super().__init__(f"{self.code}: {self.description} ({detail})")

    @classmethod
    def invalid_message(cls, detail: str = "", **kw: str | None) -> ProtocolError:
        """101: not a message this component can read."""
        return cls(ErrorCode.MESSAGE_INVALID, detail, **kw)

    @classmethod
    def unsupported_version(cls, **kw: str | None) -> ProtocolError:
        """102: the detail lists the supported versions (§3.3)."""
        return cls(ErrorCode.VERSION_NOT_SUPPORTED, ",".join(SUPPORTED_VERSIONS), **kw)

    @classmethod
    def missing(cls, fields: Iterable[str], **kw: str | None) -> ProtocolError:
        """201: required or conditionally required elements absent or empty."""
        return cls(ErrorCode.REQUIRED_ELEMENT_MISSING, ",".join(fields), **kw)

    @classmethod
    def invalid(cls, fields: Iterable[str], **kw: str | None) -> ProtocolError:
        """203: wrong format or value, or present where the condition forbids it."""
        return cls(ErrorCode.INVALID_FORMAT, ",".join(fields), **kw)

    @classmethod
    def duplicate(cls, fields: Iterable[str], **kw: str | None) -> ProtocolError:
        """204: an element given twice."""
        return cls(ErrorCode.DUPLICATE_ELEMENT, ",".join(fields), **kw)

    @classmethod
    def critical_extension(cls, ids: Iterable[str], **kw: str | None) -> ProtocolError:
        """202: critical message extensions this ACS does not recognise, by id."""
        return cls(ErrorCode.CRITICAL_EXTENSION_NOT_RECOGNISED, ",".join(ids), **kw)

    @classmethod
    def access_denied(cls, detail: str, **kw: str | None) -> ProtocolError:
        """303: this caller may not send this message (a DS asking for another scheme's card)."""
        return cls(ErrorCode.ACCESS_DENIED, detail, **kw)

    @classmethod
    def transaction_data(cls, detail: str, **kw: str | None) -> ProtocolError:
        """305: data that is well-formed but not valid for this ACS (e.g. PAN out of range)."""
        return cls(ErrorCode.TRANSACTION_DATA_INVALID, detail, **kw)

    @classmethod
    def timed_out(cls, detail: str, **kw: str | None) -> ProtocolError:
        """402: a message came, or went unanswered, past its time (the first CReq, an RRes)."""
        return cls(ErrorCode.TRANSACTION_TIMED_OUT, detail, **kw)

    @classmethod
    def system_failure(cls, *, transient: bool = False, **kw: str | None) -> ProtocolError:
        """404 (or 403 when transient) with a generic text: internals go to the log only."""
        transient_code, permanent_code = (
            ErrorCode.TRANSIENT_SYSTEM_FAILURE,
            ErrorCode.PERMANENT_SYSTEM_FAILURE,
        )
        return cls(transient_code if transient else permanent_code, "", **kw)

    def to_erro(
        self, *, version: str | None, ids: Mapping[str, str], message_type: str | None = None
    ) -> dict[str, str]:
        """The Erro message (errorComponent "A") answering the message this error is about.

        ``message_type`` is the type of the offending message (falls back to the one given at
        construction, then to "Erro"); ``ids`` may hold any of the four transaction ids.
        """
        about = message_type or self.message_type or MessageType.ERRO.value
        erro = {
            "messageType": MessageType.ERRO.value,
            "messageVersion": version if version in SUPPORTED_VERSIONS else FALLBACK_VERSION,
            "errorCode": self.code.value,
            "errorComponent": "A",
            "errorDescription": self.description[:2048] or "Error",
            "errorDetail": self.detail[:2048] or about,
            "errorMessageType": about,
        }
        erro.update({k: ids[k] for k in ID_FIELDS if isinstance(ids.get(k), str) and ids[k]})
        return erro


class OutgoingMessageInvalid(ValueError):
    """A message built by the ACS breaks its own schema; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
