"""The schema: tables, named migration steps and the schema version.

The schema carries a version from day one; ``MIGRATIONS[n]`` brings a store from version n to n + 1,
each in one transaction, so an interrupted upgrade leaves the old version intact.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

ID_BATCH = 10_000  # ids per IN (...) query: far below SQLite's 32,766 (older) / 250,000 bound variables


SQLITE_BUSY_MS = 30_000  # a scheduled run may hold the write lock while a manual build waits


# PostgreSQL advisory lock keys ("digest" in ASCII, then a number), one database's own: two stores
# in two databases of one server never wait for each other.
RUN_LOCK_KEY = 0x6469676573740001  # held by run/build (exclusive) and send (shared) for their whole work


MIGRATE_LOCK_KEY = 0x6469676573740002  # held by each migration step's transaction


LOCK_POLL_S = 0.25  # how often a waiting run asks again for the run lock


# Text compares and sorts byte by byte on both engines: SQLite's BINARY collation, and "C" on
# PostgreSQL, whose database default (en_US.UTF-8, say) would order ids, days and recipients
# differently and so change which article comes first in a tie, and with it the briefing's bytes.
TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


metadata = sa.MetaData()


meta_table = sa.Table("meta", metadata, sa.Column("key", TEXT, primary_key=True), sa.Column("value", TEXT))


articles_table = sa.Table(
    "articles",
    metadata,
    sa.Column("id", TEXT, primary_key=True),
    sa.Column("title", TEXT, nullable=False),
    sa.Column("text", TEXT, nullable=False),
    sa.Column("outlet", TEXT, nullable=False, server_default=""),
    sa.Column("url", TEXT, nullable=False, server_default=""),
    sa.Column("published", TEXT),  # ISO 8601, UTC
    sa.Column("source", TEXT, nullable=False, server_default=""),
    sa.Column("language", TEXT, nullable=False, server_default="en"),
    sa.Column("author", TEXT, nullable=False, server_default=""),
)


editions_table = sa.Table(
    "editions",  # which articles make up a day's briefing
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("article_id", TEXT, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta_table, articles_table, editions_table])
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_articles_published ON articles (published)"))


# Source health and HTTP cache validators (issue 3: ingestion). One row per configured source.
sources_table = sa.Table(
    "sources",
    metadata,
    sa.Column("location", TEXT, primary_key=True),
    sa.Column("etag", TEXT, nullable=False, server_default=""),
    sa.Column("last_modified", TEXT, nullable=False, server_default=""),
    sa.Column("body", sa.LargeBinary),  # zlib-compressed last body, re-read on 304 Not Modified
    sa.Column("last_attempt", TEXT),  # ISO 8601, UTC
    sa.Column("last_success", TEXT),
    sa.Column("last_error", TEXT, nullable=False, server_default=""),
    sa.Column("last_error_at", TEXT),
    sa.Column("fetches", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_articles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_skipped", sa.Integer, nullable=False, server_default="0"),
)


def _add_sources(conn: Connection) -> None:
    metadata.create_all(conn, tables=[sources_table])


# Delivery bookkeeping (schema 3): when each article was first stored (for articles without a
# published time), which days a run has built/completed, and the outbox of (day, recipient).
arrivals_table = sa.Table(
    "arrivals",
    metadata,
    sa.Column("article_id", TEXT, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("stored_at", TEXT, nullable=False),  # ISO 8601, UTC
)


run_days_table = sa.Table(
    "run_days",
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("status", TEXT, nullable=False),  # planned | built | completed
    sa.Column("stories", sa.Integer, nullable=False, server_default="0"),
    sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", TEXT, nullable=False),
)


outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("recipient", TEXT, primary_key=True),
    sa.Column("status", TEXT, nullable=False),  # pending | sending | sent | failed
    sa.Column("generation", sa.Integer, nullable=False, server_default="0"),  # bumped by send --force
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message_id", TEXT, nullable=False, server_default=""),
    sa.Column("error", TEXT, nullable=False, server_default=""),
    sa.Column("updated_at", TEXT, nullable=False),
)


OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


def _create_delivery_v3(conn: Connection) -> None:
    metadata.create_all(conn, tables=[arrivals_table, run_days_table, outbox_table])
    # Articles stored before schema 3 count as arriving when they were published (or never).
    # Portable SQL (no SQLite INSERT OR IGNORE): only articles that have no arrival yet.
    a = articles_table.c
    has_arrival = sa.exists().where(arrivals_table.c.article_id == a.id)
    conn.execute(
        sa.insert(arrivals_table).from_select(
            ["article_id", "stored_at"], sa.select(a.id, a.published).where(a.published.is_not(None), ~has_arrival)
        )
    )


# Stories as built for each day (schema 4, issue 4: continuity): what a later day links to.
stories_table = sa.Table(
    "stories",
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("story_id", TEXT, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),  # rank order in that day's briefing
    sa.Column("label", TEXT, nullable=False),
    sa.Column("article_ids", TEXT, nullable=False),  # JSON list
    sa.Column("terms", TEXT, nullable=False),  # JSON list of [term, weight]: the signature
    # Schema 8 (issue 16: developing stories): what that day's edition told, for the days after it.
    sa.Column("headline", TEXT, nullable=False, server_default=""),
    sa.Column("summary", TEXT, nullable=False, server_default="[]"),  # JSON list of sentences
    sa.Column("label_articles", sa.Integer, nullable=False, server_default="0"),
)


def _create_stories_v4(conn: Connection) -> None:
    metadata.create_all(conn, tables=[stories_table])


# The archive's stories as `digest serve` searches them (schema 5): one row per story of
# each archived day, read from that day's briefing.json (so days built with an in-memory store,
# such as the demo, are searchable too). ``signature`` notes which briefing.json a day was indexed
# from, so a rebuilt day is indexed again. The full-text index itself is the database's own:
# SQLite's FTS5 table ``story_fts`` (rowid = story_index's rowid); on PostgreSQL a generated
# tsvector column ``search`` of story_index with a GIN index. Only index_day, _unindex and the
# _search_* functions know which.
story_index_table = sa.Table(
    "story_index",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", TEXT, nullable=False),
    sa.Column("story_id", TEXT, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # rank order in that day's briefing
    sa.Column("label", TEXT, nullable=False),
    sa.Column("headline", TEXT, nullable=False),
    sa.Column("summary", TEXT, nullable=False),  # the summary sentences, one a line
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("outlets", TEXT, nullable=False),  # ", "-joined
    sa.UniqueConstraint("day", "story_id"),
    sa.Index("ix_story_index_story", "story_id", "day"),
)


indexed_days_table = sa.Table(
    "indexed_days",
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("signature", TEXT, nullable=False),
)


# FTS5 with the Porter stemmer over unicode61 words: "talks" finds "talk"; diacritics folded.
_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS story_fts USING fts5("
    "label, headline, summary, tokenize = 'porter unicode61 remove_diacritics 2')"
)


# PostgreSQL: the English Snowball stemmer, label weighted A, headline B, summary C (as bm25's 4:2:1).
_POSTGRES_FTS = (
    "ALTER TABLE story_index ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', label), 'A') || setweight(to_tsvector('english', headline), 'B') || "
    "setweight(to_tsvector('english', summary), 'C')) STORED",
    "CREATE INDEX ix_story_index_search ON story_index USING GIN (search)",
)


SNIPPET_OPEN, SNIPPET_CLOSE = "\ue000", "\ue001"  # private-use marks around a match; the web page makes them <mark>


SEARCH_MAX_TERMS = 16  # words of a query used; more only slow the match


def _create_search_v5(conn: Connection) -> None:
    metadata.create_all(conn, tables=[story_index_table, indexed_days_table])
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text(_SQLITE_FTS))
    elif conn.dialect.name == "postgresql":
        for statement in _POSTGRES_FTS:
            conn.execute(sa.text(statement))


# Who made each day's edition (schema 6): "build" (`digest build --input`) or "run" (the
# daily job), so that neither silently replaces the other's. Days stored before it have no row;
# ``Store.edition_origin`` reads them from run_days instead.
edition_origins_table = sa.Table(
    "edition_origins",
    metadata,
    sa.Column("day", TEXT, primary_key=True),
    sa.Column("origin", TEXT, nullable=False),  # build | run
)


EDITION_ORIGINS = ("build", "run")


def _create_origins_v6(conn: Connection) -> None:
    metadata.create_all(conn, tables=[edition_origins_table])


# Skips already reported (schema 7): per input (a file, or a feed without its "#N" item
# number, which moves as new items arrive) and kind, how many items were skipped at the last run.
# A run reports only skips beyond those, so a permanently bad item is reported once, not daily.
skip_reports_table = sa.Table(
    "skip_reports",
    metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("kind", TEXT, primary_key=True),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("first_seen", TEXT, nullable=False),  # ISO 8601, UTC
)


def _create_skip_reports_v7(conn: Connection) -> None:
    metadata.create_all(conn, tables=[skip_reports_table])


# What each day's edition told of a story (schema 8): its headline and summary sentences, and how
# many articles it had when its label was chosen, so that a later day can tell what is new, show
# "Previously" and the timeline, and re-label a story that outgrew its label. A store created at
# schema 4 or later by this version already has the columns (stories_table names them).
_STORIES_V8_COLUMNS = (
    ("headline", "TEXT NOT NULL DEFAULT ''"),
    ("summary", "TEXT NOT NULL DEFAULT '[]'"),
    ("label_articles", "INTEGER NOT NULL DEFAULT 0"),
)


def _add_story_editions_v8(conn: Connection) -> None:
    have = {c["name"] for c in sa.inspect(conn).get_columns("stories")}
    for name, kind in _STORIES_V8_COLUMNS:
        if name not in have:
            conn.execute(sa.text(f"ALTER TABLE stories ADD COLUMN {name} {kind}"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_stories_story ON stories (story_id, day)"))


# MIGRATIONS[n] upgrades a store at version n to n + 1 (version 0 is an empty database).
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_v1,
    _add_sources,
    _create_delivery_v3,
    _create_stories_v4,
    _create_search_v5,
    _create_origins_v6,
    _create_skip_reports_v7,
    _add_story_editions_v8,
]


SCHEMA_VERSION = len(MIGRATIONS)


def _schema_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    return int(value or 0)
