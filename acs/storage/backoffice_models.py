"""Back-office tables (migration 0010): staff sessions and OpenID Connect logins in progress.

Neither holds a secret in clear that would let someone in: a session is found by the SHA-256 of
its cookie value, a login by the SHA-256 of its ``state``; the CSRF token is no credential on
its own (it is sent in every form, and is useless without the session cookie).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from acs.storage.models import Base

__all__ = ["StaffLoginRow", "StaffSessionRow", "TraBandRow"]


class StaffSessionRow(Base):
    """A logged-in staff member's browser session (docs/backoffice.md, "Sessions")."""

    __tablename__ = "backoffice_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # hex SHA-256
    staff_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    branch: Mapped[str] = mapped_column(sa.String(32))
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the absolute end
    ended_at: Mapped[datetime | None]  # logout, or found idle


class StaffLoginRow(Base):
    """An authorisation request sent to the identity provider, waiting for its callback."""

    __tablename__ = "backoffice_logins"

    state_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # hex SHA-256
    browser_hash: Mapped[str] = mapped_column(sa.String(64))  # the login cookie it is bound to
    nonce: Mapped[str] = mapped_column(sa.String(64))
    code_verifier: Mapped[str] = mapped_column(sa.String(128))
    redirect_uri: Mapped[str] = mapped_column(sa.String(512))
    next_path: Mapped[str] = mapped_column(sa.String(256))  # the page asked for before login
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TraBandRow(Base):
    """One ETV band of the issuer's TRA as the fraud-rate monitor last saw it (RTS Art. 18-20):
    its rate over the rolling 90 days and whether the ACS grants it."""

    __tablename__ = "tra_band_states"

    limit_minor: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    open: Mapped[bool]
    rate_bps: Mapped[float] = mapped_column(sa.Float)
    fraud_minor: Mapped[int] = mapped_column(sa.BigInteger)
    volume_minor: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[datetime]  # when it last closed or opened
    computed_at: Mapped[datetime]
