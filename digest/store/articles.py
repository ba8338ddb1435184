"""Articles and editions: which articles were stored, and which make up each day's briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ..models import Article
from ._common import StoreBase, _utc_text
from .schema import (
    EDITION_ORIGINS,
    ID_BATCH,
    arrivals_table,
    articles_table,
    edition_origins_table,
    editions_table,
    run_days_table,
)


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


class ArticlesMixin(StoreBase):
    """Articles and the days they belong to."""

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
