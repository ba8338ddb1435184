"""The article store: schema, migrations and queries. Nothing else in digest touches SQL.

SQLite through SQLAlchemy Core, in WAL mode so a reader never blocks the daily run. The schema
carries a version from day one; ``MIGRATIONS[n]`` brings a store from version n to n + 1, each
in one transaction, so an interrupted upgrade leaves the old version intact.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ..models import Article, PriorStory, SourceHealth

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

LOGGER = logging.getLogger(__name__)
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


def _row_to_prior(r: Any) -> PriorStory:
    return PriorStory(
        day=dt.date.fromisoformat(r.day),
        story_id=r.story_id,
        label=r.label,
        article_ids=tuple(json.loads(r.article_ids)),
        terms=tuple((str(t), float(w)) for t, w in json.loads(r.terms)),
        headline=r.headline,
        summary=tuple(str(x) for x in json.loads(r.summary)),
        label_articles=int(r.label_articles),
    )


def _schema_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    return int(value or 0)


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.close()


@dataclass(frozen=True, slots=True)
class DayRecord:
    """What `digest run` recorded for a day: planned (edition fixed), built (files written), completed (mail done)."""

    day: dt.date
    status: str
    stories: int
    articles: int


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One (day, recipient) in the outbox and where its message stands."""

    day: dt.date
    recipient: str
    status: str  # pending | sending | sent | failed
    generation: int
    attempts: int
    message_id: str
    error: str


@dataclass(frozen=True, slots=True)
class IndexedStory:
    """One story of an archived day, as the search index holds it."""

    day: dt.date
    story_id: str
    position: int
    label: str
    headline: str
    summary: str  # the summary sentences, one a line
    articles: int
    outlets: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A story that matched a search, with a snippet (matches between SNIPPET_OPEN and SNIPPET_CLOSE)."""

    story: IndexedStory
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results and how many matched in all."""

    total: int
    hits: tuple[SearchHit, ...]


def _search_terms(query: str) -> list[str]:
    """The words of a user's query, each to be matched as a word: no operator syntax gets through."""
    return re.findall(r"\w+", query.lower())[:SEARCH_MAX_TERMS]


def _row_to_indexed(row: Any) -> IndexedStory:
    return IndexedStory(
        dt.date.fromisoformat(row.day),
        row.story_id,
        row.position,
        row.label,
        row.headline,
        row.summary,
        row.articles,
        row.outlets,
    )


def _search_sqlite(conn: Connection, terms: Sequence[str], limit: int, offset: int) -> SearchPage:
    # Each word quoted: FTS5 reads it as a plain token (AND of all), never as NEAR/OR/column syntax.
    match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
    total = conn.execute(sa.text("SELECT count(*) FROM story_fts WHERE story_fts MATCH :m"), {"m": match}).scalar()
    rows = conn.execute(
        sa.text(
            "SELECT i.day, i.story_id, i.position, i.label, i.headline, i.summary, i.articles, i.outlets, "
            "snippet(story_fts, 2, :open, :close, '…', 24) AS snippet "  # from the summary
            "FROM story_fts JOIN story_index AS i ON i.id = story_fts.rowid "
            "WHERE story_fts MATCH :m "
            # Label and headline weigh more than the summary; among equals, the newest day first.
            "ORDER BY bm25(story_fts, 4.0, 2.0, 1.0), i.day DESC, i.position LIMIT :limit OFFSET :offset"
        ),
        {"m": match, "open": SNIPPET_OPEN, "close": SNIPPET_CLOSE, "limit": limit, "offset": offset},
    ).all()
    return SearchPage(int(total or 0), tuple(SearchHit(_row_to_indexed(r), r.snippet) for r in rows))


_PG_QUERY = "plainto_tsquery('english', :q)"  # the words ANDed; operators in them are plain text
# A snippet like FTS5's: about 24 words of the summary around the match, the match marked.
_PG_HEADLINE = f'StartSel="{SNIPPET_OPEN}", StopSel="{SNIPPET_CLOSE}", MaxWords=24, MinWords=12, MaxFragments=1'


def _search_postgres(conn: Connection, terms: Sequence[str], limit: int, offset: int) -> SearchPage:
    words = " ".join(terms)
    total = conn.execute(
        sa.text(f"SELECT count(*) FROM story_index WHERE search @@ {_PG_QUERY}"), {"q": words}
    ).scalar()
    rows = conn.execute(
        sa.text(
            "SELECT i.day, i.story_id, i.position, i.label, i.headline, i.summary, i.articles, i.outlets, "
            "ts_headline('english', i.summary, query, :options) AS snippet "
            f"FROM story_index AS i, {_PG_QUERY} AS query "
            "WHERE i.search @@ query "
            # Weights for D, C (summary), B (headline), A (label): 1:2:4 like the SQLite ranking.
            "ORDER BY ts_rank('{0.1, 0.25, 0.5, 1.0}', i.search, query) DESC, "
            "i.day DESC, i.position LIMIT :limit OFFSET :offset"
        ),
        {"q": words, "options": _PG_HEADLINE, "limit": limit, "offset": offset},
    ).all()
    return SearchPage(int(total or 0), tuple(SearchHit(_row_to_indexed(r), r.snippet) for r in rows))


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
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise _store_error(exc, self.engine.url.render_as_string(hide_password=True)) from exc

    return wrapper  # type: ignore[return-value]


def _row_to_article(row: Any) -> Article:
    return Article(
        id=row.id,
        title=row.title,
        text=row.text,
        outlet=row.outlet,
        url=row.url,
        published=dt.datetime.fromisoformat(row.published) if row.published else None,
        source=row.source,
        language=row.language,
        author=row.author,
    )


def _row_to_outbox(r: Any) -> OutboxEntry:
    return OutboxEntry(
        dt.date.fromisoformat(r.day), r.recipient, r.status, r.generation, r.attempts, r.message_id, r.error
    )


def _insert(conn: Connection) -> Callable[..., Any]:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (both SQLite and PostgreSQL do)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _update_outbox(
    conn: Connection,
    day: dt.date,
    recipient: str,
    status: str,
    now: dt.datetime,
    message_id: str | None,
    error: str,
    attempted: bool,
) -> None:
    if status not in OUTBOX_STATUSES:
        raise ValueError(f"unknown outbox status {status!r}")
    values: dict[str, Any] = {"status": status, "error": error[:500], "updated_at": _utc_text(now)}
    if message_id is not None:
        values["message_id"] = message_id
    if attempted:
        values["attempts"] = outbox_table.c.attempts + 1
    conn.execute(
        sa.update(outbox_table)
        .where(outbox_table.c.day == day.isoformat(), outbox_table.c.recipient == recipient)
        .values(**values)
    )


class OutboxClaim:
    """A (day, recipient) claimed for sending: ``entry`` as claimed, ``record`` moves it on."""

    def __init__(self, store: Store, conn: Connection | None, entry: OutboxEntry) -> None:
        self.store, self.entry, self._conn = store, entry, conn

    def record(
        self, status: str, now: dt.datetime, message_id: str | None = None, error: str = "", attempted: bool = False
    ) -> None:
        """Move the entry to status (committed now on SQLite, with the claim on PostgreSQL)."""
        e = self.entry
        if self._conn is None:
            self.store.set_outbox(e.day, e.recipient, status, now, message_id, error, attempted)
            return
        try:
            _update_outbox(self._conn, e.day, e.recipient, status, now, message_id, error, attempted)
        except SQLAlchemyError as exc:
            raise _store_error(exc, self.store.engine.url.render_as_string(hide_password=True)) from exc


class Store:
    """Articles and the days they belong to, in one database."""

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

    def add_articles(self, articles: Iterable[Article], stored_at: dt.datetime | None = None) -> int:
        """Store articles not already stored (by id), noting when (default now); returns how many were new."""
        rows = [
            {
                "id": a.id,
                "title": a.title,
                "text": a.text,
                "outlet": a.outlet,
                "url": a.url,
                "published": a.published.isoformat() if a.published else None,
                "source": a.source,
                "language": a.language,
                "author": a.author,
            }
            for a in articles
        ]
        if not rows:
            return 0
        with self.engine.begin() as conn:
            ids = [r["id"] for r in rows]
            known: set[str] = set()
            # In batches: one IN list per build would pass SQLite's limit on bound variables on a big day.
            for start in range(0, len(ids), ID_BATCH):
                batch = ids[start : start + ID_BATCH]
                known.update(
                    conn.execute(sa.select(articles_table.c.id).where(articles_table.c.id.in_(batch))).scalars()
                )
            new = [r for r in rows if r["id"] not in known]
            new = list({r["id"]: r for r in new}.values())
            if new:
                conn.execute(sa.insert(articles_table), new)
                when = _utc_text(stored_at or dt.datetime.now(dt.UTC))
                conn.execute(sa.insert(arrivals_table), [{"article_id": r["id"], "stored_at": when} for r in new])
        return len(new)

    def set_edition(self, day: dt.date, article_ids: Sequence[str], origin: str = "build") -> None:
        """Make these articles (in this order) the whole of day's briefing, made by origin ("build" or "run")."""
        if origin not in EDITION_ORIGINS:
            raise ValueError(f"unknown edition origin {origin!r}")
        with self.engine.begin() as conn:
            conn.execute(sa.delete(edition_origins_table).where(edition_origins_table.c.day == day.isoformat()))
            conn.execute(sa.insert(edition_origins_table).values(day=day.isoformat(), origin=origin))
            conn.execute(sa.delete(editions_table).where(editions_table.c.day == day.isoformat()))
            ids = list(dict.fromkeys(article_ids))
            if ids:
                conn.execute(
                    sa.insert(editions_table),
                    [{"day": day.isoformat(), "article_id": i, "position": n} for n, i in enumerate(ids)],
                )

    def edition_origin(self, day: dt.date) -> str | None:
        """Who made day's edition: "build", "run", or None when there is none."""
        key = day.isoformat()
        with self.engine.connect() as conn:
            origin = conn.execute(
                sa.select(edition_origins_table.c.origin).where(edition_origins_table.c.day == key)
            ).scalar()
            if origin is not None:
                return str(origin)
            # A store from before schema 5: a day the daily job recorded is its own, else a build's.
            if conn.execute(sa.select(run_days_table.c.day).where(run_days_table.c.day == key)).first():
                return "run"
            if conn.execute(sa.select(editions_table.c.day).where(editions_table.c.day == key).limit(1)).first():
                return "build"
        return None

    def edition(self, day: dt.date) -> list[Article]:
        """The articles of day's briefing, in the order they were given."""
        query = (
            sa.select(articles_table)
            .join(editions_table, editions_table.c.article_id == articles_table.c.id)
            .where(editions_table.c.day == day.isoformat())
            .order_by(editions_table.c.position)
        )
        with self.engine.connect() as conn:
            return [_row_to_article(r) for r in conn.execute(query)]

    def articles_between(self, start: dt.datetime, end: dt.datetime) -> list[Article]:
        """Articles published in [start, end), oldest first."""
        query = (
            sa.select(articles_table)
            .where(articles_table.c.published >= start.astimezone(dt.UTC).isoformat())
            .where(articles_table.c.published < end.astimezone(dt.UTC).isoformat())
            .order_by(articles_table.c.published, articles_table.c.id)
        )
        with self.engine.connect() as conn:
            return [_row_to_article(r) for r in conn.execute(query)]

    def articles_for_window(self, start: dt.datetime, end: dt.datetime, *, unshown: bool = False) -> list[Article]:
        """Articles published in (start, end], or unpublished ones first stored then; oldest first.

        With unshown, only those that no day's edition holds yet (late arrivals).
        """
        lo, hi = _utc_text(start), _utc_text(end)
        moment = sa.func.coalesce(articles_table.c.published, arrivals_table.c.stored_at)
        query = (
            sa.select(articles_table)
            .select_from(articles_table.outerjoin(arrivals_table, arrivals_table.c.article_id == articles_table.c.id))
            .where(moment > lo)
            .where(moment <= hi)
            .order_by(moment, articles_table.c.id)
        )
        if unshown:
            query = query.where(articles_table.c.id.not_in(sa.select(editions_table.c.article_id)))
        with self.engine.connect() as conn:
            return [_row_to_article(r) for r in conn.execute(query)]

    def day_record(self, day: dt.date) -> DayRecord | None:
        """What `digest run` recorded for day, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(run_days_table).where(run_days_table.c.day == day.isoformat())).first()
        return DayRecord(dt.date.fromisoformat(row.day), row.status, row.stories, row.articles) if row else None

    def day_records(self) -> list[DayRecord]:
        """Every day `digest run` recorded, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(run_days_table).order_by(run_days_table.c.day)).all()
        return [DayRecord(dt.date.fromisoformat(r.day), r.status, r.stories, r.articles) for r in rows]

    def record_day(self, day: dt.date, status: str, stories: int, articles: int, now: dt.datetime) -> None:
        """Record day as planned, built or completed (a completed day is never downgraded)."""
        if status not in ("planned", "built", "completed"):
            raise ValueError(f"unknown day status {status!r}")
        values = {"status": status, "stories": stories, "articles": articles, "updated_at": _utc_text(now)}
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(run_days_table.c.status).where(run_days_table.c.day == day.isoformat())
            ).first()
            if row is None:
                conn.execute(sa.insert(run_days_table).values(day=day.isoformat(), **values))
            elif row.status != "completed" or status == "completed":
                conn.execute(sa.update(run_days_table).where(run_days_table.c.day == day.isoformat()).values(**values))

    def outbox(self, day: dt.date) -> list[OutboxEntry]:
        """The outbox entries of day, by recipient."""
        query = sa.select(outbox_table).where(outbox_table.c.day == day.isoformat()).order_by(outbox_table.c.recipient)
        with self.engine.connect() as conn:
            return [_row_to_outbox(r) for r in conn.execute(query)]

    def enqueue(self, day: dt.date, recipients: Sequence[str], now: dt.datetime, force: bool = False) -> None:
        """Add a pending entry per recipient not yet in day's outbox; force makes every entry pending again."""
        with self.engine.begin() as conn:
            known = {
                r.recipient: r
                for r in conn.execute(sa.select(outbox_table).where(outbox_table.c.day == day.isoformat()))
            }
            for rcpt in dict.fromkeys(recipients):
                row = known.get(rcpt)
                if row is None:
                    # Another sender (on another host) may have enqueued it since we looked: keep its row.
                    conn.execute(
                        _insert(conn)(outbox_table)
                        .values(day=day.isoformat(), recipient=rcpt, status="pending", updated_at=_utc_text(now))
                        .on_conflict_do_nothing()
                    )
                elif force:
                    conn.execute(
                        sa.update(outbox_table)
                        .where(outbox_table.c.day == day.isoformat(), outbox_table.c.recipient == rcpt)
                        .values(
                            status="pending",
                            generation=row.generation + (1 if row.status in ("sent", "sending") else 0),
                            attempts=0,
                            error="",
                            updated_at=_utc_text(now),
                        )
                    )

    def set_outbox(
        self,
        day: dt.date,
        recipient: str,
        status: str,
        now: dt.datetime,
        message_id: str | None = None,
        error: str = "",
        attempted: bool = False,
    ) -> None:
        """Move (day, recipient) to status, committed before this returns."""
        with self.engine.begin() as conn:
            _update_outbox(conn, day, recipient, status, now, message_id, error, attempted)

    @contextmanager
    def claim_outbox(self, day: dt.date, recipient: str) -> Iterator[OutboxClaim | None]:
        """Claim (day, recipient) for sending for the block; None when it is not due or another sender has it.

        On PostgreSQL the claim is a transaction holding the row (SELECT ... FOR UPDATE SKIP
        LOCKED) until the block ends, when what the block recorded is committed: a second sender,
        on this host or another, skips the row meanwhile, and a crash rolls it back to pending. On
        SQLite (one host; sends exclude each other by the run lock) each record commits at once.
        """
        url = self.engine.url.render_as_string(hide_password=True)
        key = (outbox_table.c.day == day.isoformat()) & (outbox_table.c.recipient == recipient)
        if self.engine.dialect.name != "postgresql":
            entry = next((e for e in self.outbox(day) if e.recipient == recipient), None)
            yield OutboxClaim(self, None, entry) if entry and entry.status in ("pending", "sending") else None
            return
        try:
            conn = self.engine.connect()
            trans = conn.begin()
            row = conn.execute(sa.select(outbox_table).where(key).with_for_update(skip_locked=True)).first()
        except SQLAlchemyError as exc:
            raise _store_error(exc, url) from exc
        try:
            entry = _row_to_outbox(row) if row is not None else None
            yield OutboxClaim(self, conn, entry) if entry and entry.status in ("pending", "sending") else None
            trans.commit()
        except SQLAlchemyError as exc:
            raise _store_error(exc, url) from exc
        except BaseException:
            # A failure mid-send (not a crash) leaves what was recorded, "sending" included, as on SQLite.
            try:
                trans.commit()
            except SQLAlchemyError:
                LOGGER.warning("could not record the outbox state of %s to %s", day, recipient)
            raise
        finally:
            conn.close()

    def record_skip_counts(self, counts: Mapping[tuple[str, str], int], now: dt.datetime) -> dict[tuple[str, str], int]:
        """Make counts ((source, kind) -> skipped items) the ones reported; returns those recorded before.

        Keys absent from counts are forgotten, so an item that comes back later is reported again.
        """
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(skip_reports_table)).all()
            before = {(r.source, r.kind): int(r.items) for r in rows}
            first = {(r.source, r.kind): r.first_seen for r in rows}
            conn.execute(sa.delete(skip_reports_table))
            values = [
                {"source": src, "kind": kind, "items": n, "first_seen": first.get((src, kind), _utc_text(now))}
                for (src, kind), n in sorted(counts.items())
                if n > 0
            ]
            if values:
                conn.execute(sa.insert(skip_reports_table), values)
        return before

    def record_stories(self, day: dt.date, stories: Sequence[PriorStory]) -> None:
        """Make these (in this order) the stories recorded for day, replacing any recorded before."""
        rows = [
            {
                "day": day.isoformat(),
                "story_id": p.story_id,
                "position": n,
                "label": p.label,
                "article_ids": json.dumps(list(p.article_ids)),
                "terms": json.dumps([[t, w] for t, w in p.terms]),
                "headline": p.headline,
                "summary": json.dumps(list(p.summary)),
                "label_articles": p.label_articles,
            }
            for n, p in enumerate(stories)
        ]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(stories_table).where(stories_table.c.day == day.isoformat()))
            if rows:
                conn.execute(sa.insert(stories_table), rows)

    def stories_between(self, first: dt.date, last: dt.date) -> list[PriorStory]:
        """Stories recorded for the days first..last (inclusive), by day then rank."""
        query = (
            sa.select(stories_table)
            .where(stories_table.c.day >= first.isoformat(), stories_table.c.day <= last.isoformat())
            .order_by(stories_table.c.day, stories_table.c.position)
        )
        with self.engine.connect() as conn:
            return [_row_to_prior(r) for r in conn.execute(query)]

    def story_versions(self, story_ids: Sequence[str], before: dt.date) -> list[PriorStory]:
        """Every recorded day of these stories before the given day, by story id then day."""
        out: list[PriorStory] = []
        ids = sorted(set(story_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), ID_BATCH):
                query = sa.select(stories_table).where(
                    stories_table.c.story_id.in_(ids[start : start + ID_BATCH]),
                    stories_table.c.day < before.isoformat(),
                )
                out += [_row_to_prior(r) for r in conn.execute(query)]
        return sorted(out, key=lambda p: (p.story_id, p.day))

    def articles_by_id(self, article_ids: Sequence[str]) -> list[Article]:
        """The stored articles with these ids (unknown ids left out), in the order asked."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, Article] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), ID_BATCH):
                query = sa.select(articles_table).where(articles_table.c.id.in_(ids[start : start + ID_BATCH]))
                found.update((r.id, _row_to_article(r)) for r in conn.execute(query))
        return [found[i] for i in ids if i in found]

    def days(self) -> list[dt.date]:
        """Days that have an edition, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(editions_table.c.day).distinct().order_by(editions_table.c.day)).scalars()
            return [dt.date.fromisoformat(d) for d in rows]

    def count_articles(self) -> int:
        """Number of stored articles."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(articles_table)).scalar() or 0)

    def source_cache(self, location: str) -> tuple[str, str, bytes | None]:
        """(etag, last_modified, last body) remembered for a source; empty when never fetched."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(sources_table.c.etag, sources_table.c.last_modified, sources_table.c.body).where(
                    sources_table.c.location == location
                )
            ).first()
        if row is None:
            return "", "", None
        return row.etag, row.last_modified, zlib.decompress(row.body) if row.body else None

    def record_source(
        self,
        location: str,
        at: dt.datetime,
        *,
        error: str = "",
        articles: int = 0,
        skipped: int = 0,
        cache: tuple[str, str, bytes] | None = None,
    ) -> None:
        """Record one attempt at a source: success (error empty) or failure; cache is (etag, last_modified, body)."""
        stamp = at.astimezone(dt.UTC).isoformat()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(sources_table).where(sources_table.c.location == location)).first()
            if row is None:
                conn.execute(sa.insert(sources_table).values(location=location))
            values: dict[str, Any] = {
                "last_attempt": stamp,
                "fetches": sources_table.c.fetches + 1,
                "last_skipped": skipped,
                "last_error": error[:500],
            }
            if error:
                values.update(last_error_at=stamp, failures=sources_table.c.failures + 1)
            else:
                values.update(last_success=stamp, articles=sources_table.c.articles + articles, last_articles=articles)
            if cache is not None:
                etag, last_modified, body = cache
                values.update(etag=etag, last_modified=last_modified, body=zlib.compress(body) if body else None)
            conn.execute(sa.update(sources_table).where(sources_table.c.location == location).values(**values))

    def source_health(self) -> list[SourceHealth]:
        """Health of every source ever attempted, by location."""

        def when(value: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(value) if value else None

        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(sources_table).order_by(sources_table.c.location)).all()
        return [
            SourceHealth(
                location=r.location,
                last_attempt=when(r.last_attempt),
                last_success=when(r.last_success),
                last_error=r.last_error,
                last_error_at=when(r.last_error_at),
                fetches=r.fetches,
                failures=r.failures,
                articles=r.articles,
                last_articles=r.last_articles,
                last_skipped=r.last_skipped,
            )
            for r in rows
        ]

    def indexed_days(self) -> dict[dt.date, str]:
        """The days in the search index and the signature each was indexed from."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(indexed_days_table)).all()
        return {dt.date.fromisoformat(r.day): r.signature for r in rows}

    def index_day(self, day: dt.date, stories: Sequence[IndexedStory], signature: str) -> None:
        """Make these the day's stories in the search index (replacing what it held), noting signature."""
        with self.engine.begin() as conn:
            self._unindex(conn, day)
            for story in stories:
                result = conn.execute(
                    sa.insert(story_index_table).values(
                        day=day.isoformat(),
                        story_id=story.story_id,
                        position=story.position,
                        label=story.label,
                        headline=story.headline,
                        summary=story.summary,
                        articles=story.articles,
                        outlets=story.outlets,
                    )
                )
                row_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
                if conn.dialect.name == "sqlite":
                    conn.execute(
                        sa.text("INSERT INTO story_fts (rowid, label, headline, summary) VALUES (:id, :l, :h, :s)"),
                        {"id": row_id, "l": story.label, "h": story.headline, "s": story.summary},
                    )
            conn.execute(sa.insert(indexed_days_table).values(day=day.isoformat(), signature=signature))

    def unindex_day(self, day: dt.date) -> None:
        """Drop a day from the search index (its briefing left the archive)."""
        with self.engine.begin() as conn:
            self._unindex(conn, day)

    @staticmethod
    def _unindex(conn: Connection, day: dt.date) -> None:
        if conn.dialect.name == "sqlite":
            conn.execute(
                sa.text("DELETE FROM story_fts WHERE rowid IN (SELECT id FROM story_index WHERE day = :d)"),
                {"d": day.isoformat()},
            )
        conn.execute(sa.delete(story_index_table).where(story_index_table.c.day == day.isoformat()))
        conn.execute(sa.delete(indexed_days_table).where(indexed_days_table.c.day == day.isoformat()))

    def indexed_stories(self, days: Sequence[dt.date]) -> list[IndexedStory]:
        """The indexed stories of these days, by day then rank."""
        query = (
            sa.select(story_index_table)
            .where(story_index_table.c.day.in_([d.isoformat() for d in days]))
            .order_by(story_index_table.c.day, story_index_table.c.position)
        )
        with self.engine.connect() as conn:
            return [_row_to_indexed(r) for r in conn.execute(query)]

    def story_timeline(self, story_id: str) -> list[IndexedStory]:
        """Every indexed day a story ran, oldest first."""
        query = (
            sa.select(story_index_table)
            .where(story_index_table.c.story_id == story_id)
            .order_by(story_index_table.c.day)
        )
        with self.engine.connect() as conn:
            return [_row_to_indexed(r) for r in conn.execute(query)]

    def search_stories(self, query: str, limit: int = 20, offset: int = 0) -> SearchPage:
        """Full-text search over every indexed story (label, headline, summary), best match first.

        Raises StoreError when the store's database has no full-text search digest knows.
        """
        terms = _search_terms(query)
        if not terms:
            return SearchPage(0, ())
        search = {"sqlite": _search_sqlite, "postgresql": _search_postgres}.get(self.engine.dialect.name)
        if search is None:
            raise StoreError(f"full-text search needs a SQLite or PostgreSQL store, not {self.engine.dialect.name}")
        with self.engine.connect() as conn:
            try:
                return search(conn, terms, limit, offset)
            except SQLAlchemyError as exc:
                raise StoreError(f"search failed: {str(exc).splitlines()[0]}") from exc

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Every query of the store reports a database failure (full disk, read-only file, a damaged page
# or a dropped table) as one StoreError line, never a traceback.
for _name, _method in list(vars(Store).items()):
    if callable(_method) and not _name.startswith("_") and _name != "close":
        setattr(Store, _name, _mapped(_method))
del _name, _method


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


def _driver_error(shown: str, exc: ImportError) -> StoreError:
    return StoreError(
        f"the store {shown} needs the Python module {exc.name or exc}, which is not installed; "
        "for PostgreSQL: pip install 'digest[postgresql]' and a url starting postgresql+psycopg://"
    )


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
