"""The store's facade: ``Store`` over one database, and ``open_store``.

SQLite through SQLAlchemy Core, in WAL mode so a reader never blocks the daily run; or PostgreSQL.
``Store`` is one class made of one mixin per table group (articles and editions, stories, the
outbox and run days, source health, the search index); every public query reports a database
failure as one StoreError line.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ._common import _driver_error, _mapped, _store_error
from .articles import ArticlesMixin
from .outbox import OutboxMixin
from .schema import MIGRATE_LOCK_KEY, MIGRATIONS, SCHEMA_VERSION, SQLITE_BUSY_MS, _schema_version, meta_table
from .search import SearchMixin
from .sources import SourcesMixin
from .stories import StoriesMixin

LOGGER = logging.getLogger(__name__)


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.close()


class Store(ArticlesMixin, StoriesMixin, OutboxMixin, SourcesMixin, SearchMixin):
    """Articles and the days they belong to, their stories, the outbox, source health and the search
    index, in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self) -> int:
        """The schema version of the database (0 when empty)."""
        with self.engine.connect() as conn:
            return _schema_version(conn)

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema up to target (default SCHEMA_VERSION), one transaction per step.

        On PostgreSQL each step first takes a transaction advisory lock, so hosts that open a new
        database at once upgrade it one step at a time, each step exactly once.
        """
        # An in-memory store (the demo's) is created afresh every time: its migrations are no news.
        level = logging.DEBUG if self.engine.url.database in (None, "", ":memory:") else logging.INFO
        while True:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
                current = _schema_version(conn)
                if current > SCHEMA_VERSION:
                    raise StoreError(
                        f"the store is at schema {current}, newer than this digest ({SCHEMA_VERSION}); upgrade digest"
                    )
                if current >= target:
                    return
                MIGRATIONS[current](conn)
                conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema_version"))
                conn.execute(sa.insert(meta_table).values(key="schema_version", value=str(current + 1)))
            LOGGER.log(level, "store migrated to schema %d", current + 1)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Every query of the store reports a database failure (full disk, read-only file, a damaged page
# or a dropped table) as one StoreError line, never a traceback.
for _cls in (Store, ArticlesMixin, StoriesMixin, OutboxMixin, SourcesMixin, SearchMixin):
    for _name, _method in list(vars(_cls).items()):
        if callable(_method) and not _name.startswith("_") and _name != "close":
            setattr(_cls, _name, _mapped(_method))
del _cls, _name, _method


def open_store(url: str) -> Store:
    """Open (creating and migrating as needed) the store at a SQLAlchemy URL.

    Raises StoreError when the database cannot be opened or upgraded.
    """
    shown = url
    try:
        parsed = sa.engine.make_url(url)
        shown = parsed.render_as_string(hide_password=True)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        if parsed.get_backend_name() == "sqlite":
            sa.event.listen(engine, "connect", _on_connect)
        store = Store(engine)
        try:
            store.migrate()
        except BaseException:
            engine.dispose()  # a refused store (newer schema, a failed step) leaves no connection open
            raise
        return store
    except StoreError:
        raise
    except ImportError as exc:  # the database driver (psycopg, psycopg2, ...) is not installed
        raise _driver_error(shown, exc) from exc
    except SQLAlchemyError as exc:
        raise _store_error(exc, shown) from exc
    except (OSError, ValueError) as exc:
        first = (str(exc).splitlines() or [""])[0]
        raise StoreError(f"cannot open the store {shown}: {exc.__class__.__name__}: {first}") from exc
