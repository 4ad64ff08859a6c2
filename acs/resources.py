"""Where the data files live: ``schemas/`` and ``migrations/`` of a checkout (editable install),
or ``<prefix>/share/securpass-acs/`` after ``pip install .`` (pyproject ``data-files``)."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["data_dir"]

_CHECKOUT = Path(__file__).resolve().parents[1]
_INSTALLED = Path(sys.prefix) / "share" / "securpass-acs"


def data_dir(name: str) -> Path:
    """The folder ``name`` ("schemas" or "migrations"), from the checkout first."""
    for base in (_CHECKOUT, _INSTALLED):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"{name}/ not found in {_CHECKOUT} or {_INSTALLED}")
