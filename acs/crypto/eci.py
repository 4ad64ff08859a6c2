"""Electronic Commerce Indicator per scheme and outcome (reference emv3ds.md §4.1, §4.2, §7.2).

=================  ======  ============  ===========================================
Outcome            Visa    Mastercard    Note
=================  ======  ============  ===========================================
Y authenticated    05      02
Y, TRA exemption   05      06            exemption "05" passed by the caller
Y, 3RI             05      07            Mastercard: authenticated MIT / recurring
A attempts         06      01
N / U / R          07      00
data only (I)      07      04            challengeInd 06
NPA Y / other      05..07  N2 / N0       Mastercard non-payment authentication
C / D              none    none          the final outcome comes in the RReq
=================  ======  ============  ===========================================

ECI is optional on an NPA (per DS rules); Visa keeps its payment values there.
"""

from __future__ import annotations

from acs.config import Scheme
from acs.protocol.codes import MessageCategory, TransChallengeExemption, TransStatus

__all__ = ["eci"]

_S = TransStatus
# transStatus: (Visa, Mastercard) ECI.
_BY_STATUS: dict[str, tuple[str, str]] = {
    _S.AUTHENTICATED: ("05", "02"),
    _S.ATTEMPTED: ("06", "01"),
    _S.NOT_AUTHENTICATED: ("07", "00"),
    _S.NOT_PERFORMED: ("07", "00"),
    _S.REJECTED: ("07", "00"),
    _S.INFORMATIONAL: ("07", "04"),
}
_DATA_ONLY = {Scheme.VISA: "07", Scheme.MASTERCARD: "04"}


def eci(
    scheme: Scheme,
    trans_status: str,
    *,
    message_category: str = "01",
    exemption: str | None = None,
    three_ri: bool = False,
    data_only: bool = False,
) -> str | None:
    """The ECI for a final outcome, or None for C, D, S and unknown statuses.

    ``exemption`` is the transChallengeExemption the ACS granted; only "05" (TRA) changes the
    Mastercard ECI, to 06 "exempt from SCA".
    """
    if trans_status not in _BY_STATUS:
        return None
    if data_only:
        return _DATA_ONLY[scheme]
    if scheme is Scheme.VISA:
        return _BY_STATUS[trans_status][0]
    return _mastercard(trans_status, message_category, exemption, three_ri)


def _mastercard(status: str, category: str, exemption: str | None, three_ri: bool) -> str:
    if category == MessageCategory.NON_PAYMENT:
        return "N2" if status == _S.AUTHENTICATED else "N0"
    if status == _S.AUTHENTICATED and three_ri:
        return "07"
    if status == _S.AUTHENTICATED and exemption == TransChallengeExemption.TRA:
        return "06"
    return _BY_STATUS[status][1]
