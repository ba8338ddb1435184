"""The archive's search index: each archived day's stories, searched with the database's own full-text
index (SQLite FTS5, PostgreSQL tsvector). Only this module knows which.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ._common import StoreBase
from .schema import SEARCH_MAX_TERMS, SNIPPET_CLOSE, SNIPPET_OPEN, indexed_days_table, story_index_table


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


class SearchMixin(StoreBase):
    """The archive's stories, indexed and searched."""

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
