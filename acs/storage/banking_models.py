"""Banking operations tables (migration 0011): the operations the bank's online-banking back end
asks for (``/banking/v1``) and the outbox of their signed callbacks.

An SMS code is kept only as an HMAC (``otp_hmac``), like the challenge's; the summary is the one
the phone shows and signs (dynamic linking, RTS Art. 5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from acs.securpass.operations import OperationStatus
from acs.storage.models import Base, BigId, _enum

__all__ = ["BankingCallbackRow", "BankingOperationRow"]


class BankingOperationRow(Base):
    """One operation of the bank's (login, transfer, beneficiary, …) and how it was decided."""

    __tablename__ = "banking_operations"
    __table_args__ = (
        sa.Index("ix_banking_operations_status_expires_at", "status", "expires_at"),
        sa.Index("ix_banking_operations_customer_id_created_at", "customer_id", "created_at"),
        # A create retried with its client_reference finds the first one (NULLs are distinct).
        sa.UniqueConstraint("client", "client_reference"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    client: Mapped[str] = mapped_column(sa.String(64))  # the service token's ``client`` claim
    client_reference: Mapped[str | None] = mapped_column(sa.String(64))
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"))
    type: Mapped[str] = mapped_column(sa.String(32))
    summary: Mapped[dict[str, Any]]  # OperationSummary.to_dict(): what is shown and bound
    summary_hash: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(16))  # securpass | sms | trusted_device
    status: Mapped[OperationStatus] = mapped_column(
        _enum(OperationStatus, "banking_operation_status")
    )
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    securpass_operation_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("securpass_operations.id"), unique=True
    )
    trusted_device: Mapped[bool] = mapped_column(default=False)  # SP-42
    fraud_declared: Mapped[bool] = mapped_column(default=False)  # SP-55
    suspicious_login: Mapped[bool] = mapped_column(default=False)
    callback_url: Mapped[str | None] = mapped_column(sa.Text)
    otp_hmac: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    otp_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class BankingCallbackRow(Base):
    """The callback of one decided operation (exactly one: ``operation_id`` is unique), sent
    and retried under a lease like the RReqs of the results outbox."""

    __tablename__ = "banking_callbacks"
    __table_args__ = (
        sa.Index("ix_banking_callbacks_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operation_id: Mapped[str] = mapped_column(sa.ForeignKey("banking_operations.id"), unique=True)
    url: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(sa.String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
