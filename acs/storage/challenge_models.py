"""Challenge tables: challenges, results outbox (+ attempts), 3DS Method data, known browsers.

Migration 0003. One :class:`ChallengeRow` per transaction answered C or D; its ``state`` moves
``awaiting`` (ARes sent, no CReq yet) → ``open`` (challenge running) → ``decided`` exactly once,
by a conditional UPDATE, in the same database transaction that writes the RReq into
:class:`OutboxRow` (one row per acsTransID: the unique key is the "exactly one RReq" guard).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from acs.storage.models import Base, BigId

__all__ = ["AttemptRow", "ChallengeRow", "KnownBrowserRow", "MethodDataRow", "OutboxRow"]


class ChallengeRow(Base):
    """A running (or finished) challenge or decoupled authentication for one acsTransID.

    Secrets are never stored in clear: the OTP as HMAC under ``keyring.otp_key``, the app-channel
    content key sealed with AES-GCM under ``keyring.session_wrap`` (AAD = acsTransID).
    """

    __tablename__ = "challenges"
    __table_args__ = (
        sa.Index("ix_challenges_state_expires_at", "state", "expires_at"),
        sa.Index("ix_challenges_operation_id", "operation_id"),
    )

    acs_trans_id: Mapped[str] = mapped_column(
        sa.ForeignKey("transactions.acs_trans_id"), primary_key=True
    )
    method: Mapped[str] = mapped_column(sa.String(16))  # securpass_oob | sms_otp | decoupled
    channel: Mapped[str] = mapped_column(sa.String(2))
    state: Mapped[str] = mapped_column(sa.String(16))  # awaiting | open | decided
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    creq_deadline: Mapped[datetime | None]  # the first CReq must arrive before this
    expires_at: Mapped[datetime]  # no decision by then: timeout
    creq_digest: Mapped[str | None] = mapped_column(sa.String(64))
    session_data: Mapped[str | None] = mapped_column(sa.String(1024))  # threeDSSessionData
    window_size: Mapped[str | None] = mapped_column(sa.String(2))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    operation_id: Mapped[str | None] = mapped_column(sa.String(40))
    announced: Mapped[bool] = mapped_column(default=False)
    otp_hmac: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    otp_expires_at: Mapped[datetime | None]
    otp_attempts: Mapped[int] = mapped_column(default=0)
    otp_sends: Mapped[int] = mapped_column(default=0)
    cek_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary(64))
    enc: Mapped[str | None] = mapped_column(sa.String(16))
    sdk_counter: Mapped[int] = mapped_column(default=0)  # next sdkCounterStoA expected
    acs_counter: Mapped[int] = mapped_column(default=0)  # next acsCounterAtoS to send
    interaction_counter: Mapped[int] = mapped_column(default=0)
    browser_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    result_status: Mapped[str | None] = mapped_column(sa.String(1))
    result_reason: Mapped[str | None] = mapped_column(sa.String(2))
    challenge_cancel: Mapped[str | None] = mapped_column(sa.String(2))
    decided_by: Mapped[str | None] = mapped_column(sa.String(16))
    decided_at: Mapped[datetime | None]


class OutboxRow(Base):
    """The RReq of one transaction, written with the decision, delivered by the sender."""

    __tablename__ = "results_outbox"
    __table_args__ = (
        sa.Index("ix_results_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    acs_trans_id: Mapped[str] = mapped_column(
        sa.ForeignKey("transactions.acs_trans_id"), unique=True
    )
    ds_url: Mapped[str] = mapped_column(sa.Text)
    # The card range's scheme: which client certificate the RReq is sent with (None: none).
    scheme: Mapped[str | None] = mapped_column(sa.String(16))
    rreq: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(sa.String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[datetime | None]
    results_status: Mapped[str | None] = mapped_column(sa.String(2))
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AttemptRow(Base):
    """One delivery attempt of an outbox row; (outbox_id, attempt) is unique."""

    __tablename__ = "results_attempts"
    __table_args__ = (sa.UniqueConstraint("outbox_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey("results_outbox.id"))
    attempt: Mapped[int]
    worker: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(sa.String(32))  # rres_01, http_503, timeout, ...
    detail: Mapped[str | None] = mapped_column(sa.String(200))


class MethodDataRow(Base):
    """Browser data collected by the 3DS Method page, kept 10 minutes."""

    __tablename__ = "method_data"

    three_ds_server_trans_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # sha256 of the canonical data
    device: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class KnownBrowserRow(Base):
    """A browser fingerprint seen in a successful transaction of a customer."""

    __tablename__ = "known_browsers"

    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
