"""The article store: schema, migrations and queries. Nothing else in digest touches SQL.

SQLite through SQLAlchemy Core, in WAL mode so a reader never blocks the daily run. The schema
carries a version from day one; ``MIGRATIONS[n]`` brings a store from version n to n + 1, each
in one transaction, so an interrupted upgrade leaves the old version intact.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from .errors import StoreError
from .models import Article, PriorStory, SourceHealth

__all__ = ["SCHEMA_VERSION", "DayRecord", "OutboxEntry", "Store", "open_store"]

LOGGER = logging.getLogger(__name__)
SQLITE_BUSY_MS = 30_000  # a scheduled run may hold the write lock while a manual build waits

metadata = sa.MetaData()
meta_table = sa.Table("meta", metadata, sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text))
articles_table = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text, nullable=False, server_default=""),
    sa.Column("url", sa.Text, nullable=False, server_default=""),
    sa.Column("published", sa.Text),  # ISO 8601, UTC
    sa.Column("source", sa.Text, nullable=False, server_default=""),
    sa.Column("language", sa.Text, nullable=False, server_default="en"),
    sa.Column("author", sa.Text, nullable=False, server_default=""),
)
editions_table = sa.Table(
    "editions",  # which articles make up a day's briefing
    metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta_table, articles_table, editions_table])
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_articles_published ON articles (published)"))


# Source health and HTTP cache validators (issue 3: ingestion). One row per configured source.
sources_table = sa.Table(
    "sources",
    metadata,
    sa.Column("location", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text, nullable=False, server_default=""),
    sa.Column("last_modified", sa.Text, nullable=False, server_default=""),
    sa.Column("body", sa.LargeBinary),  # zlib-compressed last body, re-read on 304 Not Modified
    sa.Column("last_attempt", sa.Text),  # ISO 8601, UTC
    sa.Column("last_success", sa.Text),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("last_error_at", sa.Text),
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
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("stored_at", sa.Text, nullable=False),  # ISO 8601, UTC
)
run_days_table = sa.Table(
    "run_days",
    metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),  # planned | built | completed
    sa.Column("stories", sa.Integer, nullable=False, server_default="0"),
    sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.Text, nullable=False),
)
outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("recipient", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),  # pending | sending | sent | failed
    sa.Column("generation", sa.Integer, nullable=False, server_default="0"),  # bumped by send --force
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message_id", sa.Text, nullable=False, server_default=""),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
    sa.Column("updated_at", sa.Text, nullable=False),
)
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


def _create_delivery_v3(conn: Connection) -> None:
    metadata.create_all(conn, tables=[arrivals_table, run_days_table, outbox_table])
    # Articles stored before schema 3 count as arriving when they were published (or never).
    conn.execute(
        sa.text(
            "INSERT OR IGNORE INTO arrivals (article_id, stored_at) "
            "SELECT id, published FROM articles WHERE published IS NOT NULL"
        )
    )


# Stories as built for each day (schema 4, issue 4: continuity): what a later day links to.
stories_table = sa.Table(
    "stories",
    metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("story_id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),  # rank order in that day's briefing
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("article_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("terms", sa.Text, nullable=False),  # JSON list of [term, weight]: the signature
)


def _create_stories_v4(conn: Connection) -> None:
    metadata.create_all(conn, tables=[stories_table])


# Skips already reported (schema 5, issue 13): per input (a file, or a feed without its "#N" item
# number, which moves as new items arrive) and kind, how many items were skipped at the last run.
# A run reports only skips beyond those, so a permanently bad item is reported once, not daily.
skip_reports_table = sa.Table(
    "skip_reports",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("first_seen", sa.Text, nullable=False),  # ISO 8601, UTC
)


def _create_skip_reports_v5(conn: Connection) -> None:
    metadata.create_all(conn, tables=[skip_reports_table])


# MIGRATIONS[n] upgrades a store at version n to n + 1 (version 0 is an empty database).
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_v1,
    _add_sources,
    _create_delivery_v3,
    _create_stories_v4,
    _create_skip_reports_v5,
]
SCHEMA_VERSION = len(MIGRATIONS)


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


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


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


class Store:
    """Articles and the days they belong to, in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self) -> int:
        """The schema version of the database (0 when empty)."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("meta"):
                return 0
            value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
            return int(value or 0)

    def migrate(self) -> None:
        """Bring the schema up to SCHEMA_VERSION, one transaction per step."""
        current = self.version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the store is at schema {current}, newer than this digest ({SCHEMA_VERSION}); upgrade digest"
            )
        # An in-memory store (the demo's) is created afresh every time: its migrations are no news.
        level = logging.DEBUG if self.engine.url.database in (None, "", ":memory:") else logging.INFO
        for version in range(current, SCHEMA_VERSION):
            with self.engine.begin() as conn:
                MIGRATIONS[version](conn)
                conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema_version"))
                conn.execute(sa.insert(meta_table).values(key="schema_version", value=str(version + 1)))
            LOGGER.log(level, "store migrated to schema %d", version + 1)

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
            known = set(
                conn.execute(
                    sa.select(articles_table.c.id).where(articles_table.c.id.in_([r["id"] for r in rows]))
                ).scalars()
            )
            new = [r for r in rows if r["id"] not in known]
            new = list({r["id"]: r for r in new}.values())
            if new:
                conn.execute(sa.insert(articles_table), new)
                when = _utc_text(stored_at or dt.datetime.now(dt.UTC))
                conn.execute(sa.insert(arrivals_table), [{"article_id": r["id"], "stored_at": when} for r in new])
        return len(new)

    def set_edition(self, day: dt.date, article_ids: Sequence[str]) -> None:
        """Make these articles (in this order) the whole of day's briefing."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(editions_table).where(editions_table.c.day == day.isoformat()))
            ids = list(dict.fromkeys(article_ids))
            if ids:
                conn.execute(
                    sa.insert(editions_table),
                    [{"day": day.isoformat(), "article_id": i, "position": n} for n, i in enumerate(ids)],
                )

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
            return [
                OutboxEntry(
                    dt.date.fromisoformat(r.day),
                    r.recipient,
                    r.status,
                    r.generation,
                    r.attempts,
                    r.message_id,
                    r.error,
                )
                for r in conn.execute(query)
            ]

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
                    conn.execute(
                        sa.insert(outbox_table).values(
                            day=day.isoformat(), recipient=rcpt, status="pending", updated_at=_utc_text(now)
                        )
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
        if status not in OUTBOX_STATUSES:
            raise ValueError(f"unknown outbox status {status!r}")
        values: dict[str, Any] = {"status": status, "error": error[:500], "updated_at": _utc_text(now)}
        if message_id is not None:
            values["message_id"] = message_id
        if attempted:
            values["attempts"] = outbox_table.c.attempts + 1
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(outbox_table)
                .where(outbox_table.c.day == day.isoformat(), outbox_table.c.recipient == recipient)
                .values(**values)
            )

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
            return [
                PriorStory(
                    day=dt.date.fromisoformat(r.day),
                    story_id=r.story_id,
                    label=r.label,
                    article_ids=tuple(json.loads(r.article_ids)),
                    terms=tuple((str(t), float(w)) for t, w in json.loads(r.terms)),
                )
                for r in conn.execute(query)
            ]

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

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
        store.migrate()
        return store
    except ImportError as exc:  # the database driver (psycopg, psycopg2, ...) is not installed
        raise StoreError(
            f"the store {shown} needs the Python module {exc.name or exc}, which is not installed; "
            "for PostgreSQL: pip install 'digest[postgresql]' and a url starting postgresql+psycopg://"
        ) from exc
    except (SQLAlchemyError, OSError, ValueError) as exc:
        first = (str(exc).splitlines() or [""])[0]
        raise StoreError(f"cannot open the store {shown}: {exc.__class__.__name__}: {first}") from exc
