"""Database locks: PostgreSQL advisory locks that keep runs on several hosts from overlapping."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ._common import _driver_error, _store_error
from .schema import LOCK_POLL_S, RUN_LOCK_KEY

LOGGER = logging.getLogger(__name__)


def is_database_lock_url(url: str) -> bool:
    """True when the run lock for a store at url is the database's own (PostgreSQL), not a file."""
    return url.partition(":")[0].split("+", 1)[0] in ("postgresql", "postgres")


@contextmanager
def database_lock(url: str, *, shared: bool = False, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the run lock of the PostgreSQL store at url (an advisory lock) for the block; yields False
    when another session held it for longer than timeout seconds (then nothing is held).

    The lock belongs to a connection of its own, outside any transaction; the server releases it when
    that connection ends, so a digest that dies (or whose host does) never leaves it held for long.
    Exclusive for runs and builds; shared for sends, which claim their rows one by one.
    Raises StoreError when the database cannot be reached.
    """
    shown = url
    take, give = "pg_try_advisory_lock", "pg_advisory_unlock"
    if shared:
        take, give = take + "_shared", give + "_shared"
    try:
        parsed = sa.engine.make_url(url)
        shown = parsed.render_as_string(hide_password=True)
        engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool)
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    except ImportError as exc:
        raise _driver_error(shown, exc) from exc
    except SQLAlchemyError as exc:
        raise _store_error(exc, shown) from exc
    try:
        deadline = time.monotonic() + timeout
        while not _lock_call(conn, take, shown):
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(LOCK_POLL_S)
        LOGGER.debug("run lock held in %s (%s)", shown, "shared" if shared else "exclusive")
        try:
            yield True
        finally:
            _lock_call(conn, give, shown)
    finally:
        conn.close()
        engine.dispose()


def _lock_call(conn: Connection, function: str, shown: str) -> bool:
    try:
        return bool(conn.execute(sa.text(f"SELECT {function}(:key)"), {"key": RUN_LOCK_KEY}).scalar())
    except SQLAlchemyError as exc:
        raise _store_error(exc, shown) from exc
