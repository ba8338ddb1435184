"""The archive on disk (atomic writes, the index of days); email arrives in a later stage."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import DeliveryError

__all__ = ["archive_days", "write_atomic", "write_day"]

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARCHIVE_MODE = 0o644  # mkstemp makes 0600; archive files are meant to be read by others


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so readers see the old bytes or the new ones, never a part (temp + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, ARCHIVE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_day(out_dir: Path, day: dt.date, files: Mapping[str, bytes]) -> list[Path]:
    """Write a day's files into OUT/YYYY-MM-DD/, each atomically; returns their paths.

    Raises DeliveryError when the folder cannot be written.
    """
    folder = out_dir / day.isoformat()
    written = []
    try:
        for name, data in files.items():
            target = folder / name
            write_atomic(target, data)
            written.append(target)
    except OSError as exc:
        raise DeliveryError(f"cannot write the briefing into {folder}: {exc.strerror or exc}") from exc
    return written


def archive_days(out_dir: Path) -> list[dt.date]:
    """Days that have a briefing in the archive folder, oldest first."""
    if not out_dir.is_dir():
        return []
    days = []
    for child in out_dir.iterdir():
        if _DAY_RE.match(child.name) and (child / "briefing.html").is_file():
            try:
                days.append(dt.date.fromisoformat(child.name))
            except ValueError:
                continue
    return sorted(days)
