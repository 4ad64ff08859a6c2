"""Sécur'Pass tables: enrolments, devices, operations, fraud declarations (migration 0002)."""

from __future__ import annotations

from acs.storage.models import Base  # noqa: F401 - models here share the one metadata
