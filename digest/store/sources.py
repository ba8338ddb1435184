"""Source health: each configured source's HTTP cache validators, failures, and skips already reported."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ..models import SourceHealth
from ._common import StoreBase, _utc_text
from .schema import skip_reports_table, sources_table


class SourcesMixin(StoreBase):
    """Source health, cache validators and skip counts."""

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
