"""The fraud-rate monitor (PSD2 RTS Art. 18-20): the issuer's fraud rate per TRA band over the
rolling 90 days, and which bands the ACS still grants.

A band's rate is the value of the payments the issuer exempted by TRA in that band (the
decisive rule ``issuer_tra``) that an analyst qualified as confirmed fraud, over the value of
all the payments it exempted in that band, in basis points. With no exempted volume yet, the
config's ``issuer_fraud_rate_bps`` stands in (its starting value). A band whose rate is over its
reference (``tra_band_reference_bps``) closes: the risk engine stops granting it
(``tra_closed_bands``); it opens again once the rolling rate is back under the reference.
Every change is audited (``tra.band_closed``, ``tra.band_opened`` on ``tra:band:<limit>``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from acs.config import RiskThresholds, Settings
from acs.storage import tra_monitor as store
from acs.storage.audit import append_audit
from acs.storage.engine import Session, Sessions

__all__ = ["WINDOW", "BandRate", "MonitorState", "TraGate", "evaluate"]

WINDOW = timedelta(days=90)  # RTS Art. 19(1): the rolling 90 days
ACTOR = "acs:fraud_monitor"


@dataclass(frozen=True)
class BandRate:
    limit_minor: int
    reference_bps: float
    rate_bps: float
    measured: bool  # False: no exempted volume yet, the starting value stands in
    fraud_minor: int
    volume_minor: int
    open: bool
    changed_at: datetime | None


@dataclass(frozen=True)
class MonitorState:
    bands: tuple[BandRate, ...]
    computed_at: datetime

    @property
    def closed(self) -> tuple[int, ...]:
        return tuple(b.limit_minor for b in self.bands if not b.open)


async def evaluate(sessions: Sessions, thr: RiskThresholds, *, now: datetime) -> MonitorState:
    """Measure every band, store it, audit each band that closed or opened."""
    limits = sorted(thr.tra_band_limits_minor)
    references = dict(zip(thr.tra_band_limits_minor, thr.tra_band_reference_bps, strict=True))
    since, bands = now - WINDOW, []
    async with sessions.begin() as session:
        volumes = await store.exempted_values(
            session, since=since, currency=thr.currency, limits=limits, confirmed_fraud=False
        )
        frauds = await store.exempted_values(
            session, since=since, currency=thr.currency, limits=limits, confirmed_fraud=True
        )
        known = await store.band_states(session)
        for limit, volume, fraud in zip(limits, volumes, frauds, strict=True):
            measured = volume > 0
            rate = 10000.0 * fraud / volume if measured else thr.issuer_fraud_rate_bps
            is_open = rate <= references[limit]
            changed = await store.save_band(
                session, limit_minor=limit, open=is_open, rate_bps=rate, fraud_minor=fraud,
                volume_minor=volume, now=now, known=known.get(limit),
            )  # fmt: skip
            before = known.get(limit)
            since_when = now if changed or before is None else before.changed_at
            if changed:
                await _audit(session, limit, is_open, rate, references[limit], fraud, volume, now)
            bands.append(BandRate(limit, references[limit], rate, measured, fraud, volume,
                                  is_open, since_when))  # fmt: skip
    return MonitorState(tuple(bands), now)


async def _audit(
    session: Session, limit: int, is_open: bool, rate: float, reference: float, fraud: int,
    volume: int, now: datetime,
) -> None:  # fmt: skip
    await append_audit(
        session,
        at=now, actor=ACTOR, action="tra.band_opened" if is_open else "tra.band_closed",
        subject=f"tra:band:{limit}",
        detail={"limit_minor": limit, "rate_bps": round(rate, 2), "reference_bps": reference,
                "fraud_minor": fraud, "volume_minor": volume, "rule": "RTS Art. 20"},
    )  # fmt: skip


class TraGate:
    """The settings the AReq path decides with: the configured ones, the TRA ceiling coming
    from the monitor once it has measured (its closed bands; the starting rate set aside)."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings
        self.settings = settings
        self.state: MonitorState | None = None

    def apply(self, state: MonitorState) -> None:
        risk = dataclasses.replace(
            self.base.risk, tra_closed_bands=state.closed, issuer_fraud_rate_bps=0.0
        )
        self.settings = dataclasses.replace(self.base, risk=risk)
        self.state = state

    async def refresh(self, sessions: Sessions, *, now: datetime) -> MonitorState:
        state = await evaluate(sessions, self.base.risk, now=now)
        self.apply(state)
        return state
