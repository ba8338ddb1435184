"""The database (I/O): schema, migrations and every query; nothing else touches SQL.

Holds: ``core`` (the tables and named migration steps, the ``Store`` over articles and editions,
stories, the outbox and run days, source health, the search index, and the database locks).

May import: ``digest.models``, ``digest.errors`` and ``digest.config``.
"""

from __future__ import annotations

from .core import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SNIPPET_CLOSE,
    SNIPPET_OPEN,
    DayRecord,
    IndexedStory,
    OutboxClaim,
    OutboxEntry,
    SearchHit,
    SearchPage,
    Store,
    database_lock,
    is_database_lock_url,
    metadata,
    open_store,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SNIPPET_CLOSE",
    "SNIPPET_OPEN",
    "DayRecord",
    "IndexedStory",
    "OutboxClaim",
    "OutboxEntry",
    "SearchHit",
    "SearchPage",
    "Store",
    "database_lock",
    "is_database_lock_url",
    "metadata",
    "open_store",
]
