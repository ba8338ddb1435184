"""Delivery bookkeeping: the days a run has built or completed, and the outbox of (day, recipient)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ._common import StoreBase, _insert, _store_error, _utc_text
from .schema import OUTBOX_STATUSES, outbox_table, run_days_table

LOGGER = logging.getLogger(__name__)


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


def _row_to_outbox(r: Any) -> OutboxEntry:
    return OutboxEntry(
        dt.date.fromisoformat(r.day), r.recipient, r.status, r.generation, r.attempts, r.message_id, r.error
    )


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

    def __init__(self, store: OutboxMixin, conn: Connection | None, entry: OutboxEntry) -> None:
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


class OutboxMixin(StoreBase):
    """Run days and the mail outbox."""

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
