"""Owner-only files: what the ACS creates on disk (database, keys, demo data) is 0600, its
folders 0700 (docs/security.md, "Files").

Each writer creates with the right mode (``os.open(..., 0o600)``, ``mkdir`` per missing folder
at 0700) so no file is readable by others even for a moment, whatever the umask; files left by
an older version are tightened with ``chmod`` (those this user owns: another owner's file is
theirs to set, and a chmod would fail). :func:`restrict_umask` adds the process-wide
net for ``acs serve`` and ``acs demo`` (SQLite's own temporary files, the demo phones' files).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "make_private_folder",
    "private_file",
    "restrict_umask",
    "write_private",
]

FILE_MODE, FOLDER_MODE = 0o600, 0o700
OWNER_ONLY_UMASK = 0o077


def restrict_umask() -> None:
    """Every file and folder this process creates from now on is its owner's only."""
    os.umask(OWNER_ONLY_UMASK)


def make_private_folder(path: str | os.PathLike[str], *, tighten: bool = True) -> Path:
    """Create ``path`` and each missing parent at 0700; ``tighten`` also chmods an existing one.

    Pass ``tighten=False`` for a folder the ACS may share with others (the folder of a
    configured SQLite file can be the working directory): it is then only created, never
    changed.
    """
    folder = Path(path)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for part in reversed(missing):
        part.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(part, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    if tighten and not missing:
        _tighten(folder, FOLDER_MODE)
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` empty at 0600 if missing, else tighten it to 0600."""
    target = Path(path)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(target, FILE_MODE)
    else:
        os.chmod(target, FILE_MODE)  # the umask may have removed bits; 0600 exactly
    return target


def _tighten(path: Path, mode: int) -> None:
    status = path.stat()
    if status.st_uid == os.geteuid() and status.st_mode & 0o777 != mode:
        os.chmod(path, mode)


def write_private(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write a file readable by its owner only, atomically (a temporary file, then rename)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a leftover .tmp keeps its old mode through O_CREAT
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
    os.replace(tmp, target)
