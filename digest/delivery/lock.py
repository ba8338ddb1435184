"""The run lock: keeps two runs (and a run and a send) from overlapping, a file lock beside the archive
or, for a PostgreSQL store, the database's own advisory lock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from ..config import Settings
from ..errors import DeliveryError

__all__ = ["lock_path", "run_lock"]

LOGGER = logging.getLogger(__name__)


def _is_postgres(url: str) -> bool:
    return url.partition(":")[0].split("+", 1)[0] in ("postgresql", "postgres")


def _shown_url(url: str) -> str:
    """url with any password replaced by ***."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def lock_path(settings: Settings, out_dir: Path) -> Path:
    """The lock file: beside the SQLite database (the shared state), else in the output folder.

    A PostgreSQL store has no lock file: its run lock is an advisory lock in the database.
    """
    # Parsed by hand: importing SQLAlchemy here would slow a refused run's start (and its error).
    scheme, _, rest = settings.store_url.partition(":///")
    database = rest.split("?", 1)[0]
    if scheme.split("+", 1)[0] == "sqlite" and database and database != ":memory:":
        return Path(database + ".lock")
    return out_dir / ".digest.lock"


@contextmanager
def run_lock(settings: Settings, out_dir: Path, timeout: float = 0.0, *, shared: bool = False) -> Iterator[str]:
    """Hold the run lock for the block (yields what is held); raises DeliveryError when another digest holds it
    past timeout.

    With a PostgreSQL store it is an advisory lock in the database, so digests on different hosts
    sharing the store exclude each other: exclusive for runs and builds, shared with shared=True
    (sends, which claim their outbox rows one by one and so may run together, but never beside a
    run or build). Otherwise a file lock (always exclusive) beside the SQLite file or in out_dir.
    Raises StoreError when the PostgreSQL server cannot be reached.
    """
    if _is_postgres(settings.store_url):
        # Imported here, not at the top: a file-locked run would otherwise load SQLAlchemy before
        # it knows whether it may run at all.
        from ..store import database_lock

        with database_lock(settings.store_url, shared=shared, timeout=timeout) as held:
            if not held:
                raise DeliveryError(
                    f"another digest run, send or build holds the run lock of the store "
                    f"{_shown_url(settings.store_url)}; wait for it to finish"
                )
            yield f"the run lock of {_shown_url(settings.store_url)}"
        return
    path = lock_path(settings, out_dir)
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout as exc:
        raise DeliveryError(f"another digest run, send or build holds {path}; wait for it to finish") from exc
    except OSError as exc:
        raise DeliveryError(
            f"cannot create the lock file {path}: {exc.strerror or exc}; is the store's folder writable?"
        ) from exc
    LOGGER.debug("lock acquired: %s", path)
    try:
        yield str(path)
    finally:
        lock.release()
