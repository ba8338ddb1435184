"""The database (I/O): schema, migrations and every query; nothing else in digest touches SQL.

Holds: ``schema`` (the tables, the named migration steps, ``SCHEMA_VERSION``), ``core`` (``Store``,
one facade made of a mixin per table group, and ``open_store``), ``articles`` (articles and
editions), ``stories`` (each day's stories and what their editions told), ``outbox`` (run days and
the mail outbox), ``sources`` (source health, cache validators, skips reported), ``search`` (the
archive's full-text index) and ``locks`` (PostgreSQL advisory locks); ``_common`` holds what they
share (database errors as one line).

May import: ``digest.models``, ``digest.errors`` and ``digest.config``.
"""

from __future__ import annotations

from .core import Store, open_store
from .locks import database_lock, is_database_lock_url
from .outbox import DayRecord, OutboxClaim, OutboxEntry
from .schema import MIGRATIONS, SCHEMA_VERSION, SNIPPET_CLOSE, SNIPPET_OPEN, metadata
from .search import IndexedStory, SearchHit, SearchPage

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
