"""What every part of the store shares: database errors as one line, the dialect's INSERT, UTC text."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


# What SQLite says, and what the user can do about it: one line instead of a traceback.
_EXPLAINED = (
    ("database or disk is full", "the disk holding it is full; free some space and run again"),
    ("readonly database", "it is read-only; make its folder and file writable"),
    ("unable to open database file", "it cannot be opened; does its folder exist, and is it writable?"),
    ("malformed", "it is damaged ({detail}); restore it from a backup, or try `sqlite3 FILE .recover`"),
    ("not a database", "it is not a digest store ({detail}); check [store] url"),
    ("no such table", "it is damaged or not a digest store ({detail}); restore it from a backup"),
    ("no such column", "it is damaged or not a digest store ({detail}); restore it from a backup"),
    ("database is locked", "another process holds it locked; try again when it has finished"),
    ("disk i/o error", "the disk failed while reading or writing it ({detail}); is it full?"),
    # PostgreSQL (psycopg)
    ("connection refused", "no PostgreSQL server answers there; is it running, and are host and port right?"),
    ("password authentication failed", "the server refused the login ({detail}); check the user and password"),
    ('relation "', "it is damaged or not a digest store ({detail}); restore it from a backup"),
    ("does not exist", "{detail}; create it (createdb) or check [store] url"),
    ("permission denied", "{detail}; grant the user rights on the database, or check [store] url"),
)


_F = TypeVar("_F", bound=Callable[..., Any])


def _store_error(exc: SQLAlchemyError, url: object) -> StoreError:
    """A one-line StoreError for a database failure, saying what to do next."""
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
    for needle, advice in _EXPLAINED:
        if needle in detail.lower():
            return StoreError(f"the store {url}: {advice.format(detail=detail)}")
    return StoreError(f"the store {url} failed: {type(exc).__name__}: {detail}")


def _mapped(method: _F) -> _F:
    """method with every SQLAlchemy error turned into a one-line StoreError."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise _store_error(exc, self.engine.url.render_as_string(hide_password=True)) from exc

    return wrapper  # type: ignore[return-value]


def _insert(conn: Connection) -> Callable[..., Any]:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (both SQLite and PostgreSQL do)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


class StoreBase:
    """What each of the Store's parts holds: the database engine."""

    engine: Engine


def _driver_error(shown: str, exc: ImportError) -> StoreError:
    return StoreError(
        f"the store {shown} needs the Python module {exc.name or exc}, which is not installed; "
        "for PostgreSQL: pip install 'digest[postgresql]' and a url starting postgresql+psycopg://"
    )
