"""The archive on disk: each day's folder written atomically, the days listed, the day links patched,
and the one reader of an archived day's briefing.json.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DeliveryError

__all__ = ["archive_days", "patch_day_nav", "read_briefing_stories", "write_atomic", "write_day"]

LOGGER = logging.getLogger(__name__)


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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc without it (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):  # kernel or file system
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover_day(folder: Path, retired: Path) -> None:
    """Finish a swap cut short between its two renames: the old folder comes back if the new one is missing."""
    if retired.is_dir():
        if folder.is_dir():
            shutil.rmtree(retired)
        else:
            os.rename(retired, folder)


def write_day(out_dir: Path, day: dt.date, files: Mapping[str, bytes]) -> list[Path]:
    """Write a day's files into OUT/YYYY-MM-DD/, all together or not at all; returns their paths.

    The files are written (and synced) into a temporary folder beside the day's, which then takes
    the day's place in one step where the system can swap two folders (Linux), else by two
    renames that the next write finishes if they were cut short. A full disk, a crash or a kill
    leaves the day's previous files as they were, never a mix of old and new; files of an older
    build that this one does not make (a PDF, say) go with the old folder.
    Raises DeliveryError when the folder cannot be written.
    """
    folder = out_dir / day.isoformat()
    staging = out_dir / f".{day.isoformat()}.new"
    retired = out_dir / f".{day.isoformat()}.old"
    written = [folder / name for name in files]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _recover_day(folder, retired)
        if staging.exists():  # left by a process killed mid-write
            shutil.rmtree(staging)
        staging.mkdir()
        for name, data in files.items():
            write_atomic(staging / name, data)
            LOGGER.debug("wrote %s", folder / name)
        _fsync_dir(staging)
        if not folder.is_dir():
            os.rename(staging, folder)
        elif _exchange(staging, folder):
            shutil.rmtree(staging)
        else:
            os.rename(folder, retired)
            os.rename(staging, folder)
            shutil.rmtree(retired)
        _fsync_dir(out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
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


def patch_day_nav(out_dir: Path, day: dt.date, fragment: str, start: str, end: str) -> bool:
    """Replace the day links (start ... end) in OUT/day/briefing.html with fragment, atomically.

    Returns False when the day has no page or its page has no such links (a user's template).
    Raises DeliveryError when the page cannot be rewritten.
    """
    page = out_dir / day.isoformat() / "briefing.html"
    try:
        html = page.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"cannot read {page}: {exc}") from exc
    i, j = html.find(start), html.find(end)
    if i < 0 or j < i or html.count(start) != 1:
        return False
    patched = html[:i] + fragment + html[j + len(end) :]
    if patched != html:
        try:
            write_atomic(page, patched.encode("utf-8"))
        except OSError as exc:
            raise DeliveryError(f"cannot rewrite {page}: {exc.strerror or exc}") from exc
        LOGGER.debug("day links of %s refreshed", day)
    return True


def read_briefing_stories(folder: Path) -> list[Any]:
    """The stories of an archived day's briefing.json (in folder), as render_json wrote them.

    The one reader of the archive's briefing.json: the feed, the mail, ``digest archive`` and
    ``digest serve`` read it here. Raises OSError when it cannot be read and ValueError when it is
    not a briefing (not JSON, or no list of stories).
    """
    data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
    stories = data.get("stories", []) if isinstance(data, dict) else None
    if not isinstance(stories, list):
        raise ValueError("briefing.json holds no list of stories")
    return stories
