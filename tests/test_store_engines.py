"""The store on both engines (SQLite and PostgreSQL, through the parametrised ``store_url``), its
migrations from every older schema with every row kept, and PostgreSQL's locks and row claims."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from digest.models import PriorStory
from digest.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SNIPPET_CLOSE,
    SNIPPET_OPEN,
    IndexedStory,
    Store,
    database_lock,
    metadata,
    open_store,
)
from tests.conftest import CAPTURED, DAY

NOW = dt.datetime(2026, 11, 24, 7, tzinfo=dt.UTC)


def _story(n: int, label: str, headline: str, summary: str, day: dt.date = DAY) -> IndexedStory:
    return IndexedStory(day, f"s{n}", n, label, headline, summary, 2, "Outlet A, Outlet B")


def test_search_ranks_label_over_summary_and_marks_the_match(store_url: str) -> None:
    with open_store(store_url) as store:
        store.index_day(
            DAY,
            [
                _story(0, "Harbour strike", "Dockers walk out", "The port stood still as talks failed."),
                _story(1, "Budget vote", "Talks on the budget", "Members met for budget talks late at night."),
                _story(2, "Flood warning", "Rivers rise", "Officials issued a flood warning."),
            ],
            "sig",
        )
        page = store.search_stories("talks")
        assert page.total == 2
        # The headline match (weight 2) beats a summary-only match (weight 1); stemming finds "talk".
        assert [h.story.story_id for h in page.hits] == ["s1", "s0"]
        assert f"{SNIPPET_OPEN}talks{SNIPPET_CLOSE}" in page.hits[1].snippet
        assert store.search_stories("talk budget").total == 1
        assert store.search_stories("talks", limit=1, offset=1).hits[0].story.story_id == "s0"
        for hostile in ('"', "NEAR(a b)", "a & !b | c:*", "'; DROP TABLE story_index; --"):
            assert store.search_stories(hostile).total == 0
        store.unindex_day(DAY)
        assert store.search_stories("talks").total == 0
        assert store.indexed_days() == {}


def test_outbox_and_text_order_are_byte_order_on_every_engine(store_url: str) -> None:
    # ICU's en-US (the PostgreSQL test database's default) would put "a@x" before "B@x".
    recipients = ["a@x.org", "B@x.org", "b-c@x.org", "bc@x.org"]
    with open_store(store_url) as store:
        store.enqueue(DAY, recipients, NOW)
        store.enqueue(DAY, recipients, NOW)  # twice: nothing new
        assert [e.recipient for e in store.outbox(DAY)] == sorted(recipients)
        assert {e.status for e in store.outbox(DAY)} == {"pending"}
        for rcpt in recipients:
            store.record_source(f"https://{rcpt}/feed", NOW, articles=1)
        assert [h.location for h in store.source_health()] == sorted(f"https://{r}/feed" for r in recipients)


def test_claims_record_an_outcome_and_a_finished_entry_is_not_claimed(store_url: str) -> None:
    with open_store(store_url) as store:
        store.enqueue(DAY, ["ana@example.org"], NOW)
        with store.claim_outbox(DAY, "ana@example.org") as claim:
            assert claim is not None and claim.entry.status == "pending"
            claim.record("sending", NOW, message_id="<m@x>", attempted=True)
            claim.record("sent", NOW)
        [entry] = store.outbox(DAY)
        assert (entry.status, entry.attempts, entry.message_id) == ("sent", 1, "<m@x>")
        with store.claim_outbox(DAY, "ana@example.org") as claim:
            assert claim is None
        store.enqueue(DAY, ["ana@example.org"], NOW, force=True)
        assert store.outbox(DAY)[0].generation == 1


def test_stories_skips_and_origins_round_trip(store_url: str) -> None:
    prior = PriorStory(DAY, "s1", "Gaza aid", ("a1", "a2"), (("gaza", 0.5), ("aid", 0.25)))
    with open_store(store_url) as store:
        store.record_stories(DAY, [prior])
        assert store.stories_between(DAY, DAY) == [prior]
        assert store.record_skip_counts({("feed.xml", "no text"): 2}, NOW) == {}
        assert store.record_skip_counts({("feed.xml", "no text"): 3}, NOW) == {("feed.xml", "no text"): 2}
        store.record_day(DAY, "completed", 3, 9, NOW)
        store.record_day(DAY, "built", 3, 9, NOW)  # never downgraded
        assert store.day_record(DAY) is not None and store.day_record(DAY).status == "completed"  # type: ignore[union-attr]


# --- upgrading a store made by an older schema (every release's) keeps every row -------------------------

# One row per table, by the schema that added the table; editions and arrivals point at the article.
ROWS: dict[str, list[dict[str, object]]] = {
    "articles": [
        {
            "id": "a1",
            "title": "T",
            "text": "Body.",
            "outlet": "O",
            "url": "https://x.org/1",
            "published": "2026-11-24T05:00:00+00:00",
            "source": "in.txt",
            "language": "en",
            "author": "",
        },
        {"id": "a2", "title": "U", "text": "Undated.", "published": None},
    ],
    "editions": [{"day": "2026-11-24", "article_id": "a1", "position": 0}],
    "sources": [
        {"location": "https://x.org/feed", "etag": "e", "body": b"x\x9c\x03\x00\x00\x00\x00\x01", "fetches": 2}
    ],
    "arrivals": [{"article_id": "a2", "stored_at": "2026-11-24T06:00:00+00:00"}],
    "run_days": [{"day": "2026-11-24", "status": "completed", "stories": 1, "articles": 1, "updated_at": "t"}],
    "outbox": [{"day": "2026-11-24", "recipient": "ana@x.org", "status": "sent", "generation": 1, "updated_at": "t"}],
    "stories": [
        {"day": "2026-11-24", "story_id": "s1", "position": 0, "label": "L", "article_ids": '["a1"]', "terms": "[]"}
    ],
    "story_index": [
        {
            "day": "2026-11-24",
            "story_id": "s1",
            "position": 0,
            "label": "Harbour strike",
            "headline": "H",
            "summary": "Dockers walked out.",
            "articles": 1,
            "outlets": "O",
        }
    ],
    "indexed_days": [{"day": "2026-11-24", "signature": "sig"}],
    "edition_origins": [{"day": "2026-11-24", "origin": "run"}],
    "skip_reports": [{"source": "in.txt", "kind": "no text", "items": 1, "first_seen": "t"}],
}


def _tables_at(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    return [t.name for t in metadata.sorted_tables if t.name in names and t.name != "meta"]


def _dump(store: Store, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return {
            name: sorted(
                tuple(r) for r in conn.execute(sa.select(*metadata.tables[name].c).order_by(*metadata.tables[name].c))
            )
            for name in tables
        }


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_store_at_every_older_schema_upgrades_keeping_every_row(store_url: str, version: int) -> None:
    store = Store(sa.create_engine(store_url))
    try:
        store.migrate(target=version)  # the store as the release with schema `version` left it
        assert store.version() == version
        tables = _tables_at(store)
        with store.engine.begin() as conn:
            for name in tables:
                for row in ROWS[name]:
                    conn.execute(sa.insert(metadata.tables[name]).values(**row))
            if "story_index" in tables and conn.dialect.name == "sqlite":
                conn.execute(
                    sa.text(
                        "INSERT INTO story_fts (rowid, label, headline, summary) "
                        "SELECT id, label, headline, summary FROM story_index"
                    )
                )
        before = _dump(store, tables)
        assert all(before.values())
    finally:
        store.close()
    with open_store(store_url) as upgraded:
        assert upgraded.version() == SCHEMA_VERSION
        after = _dump(upgraded, tables)
        assert after == before
        if version < 3:  # schema 3 dates articles stored before it by their published time
            assert upgraded.articles_for_window(CAPTURED - dt.timedelta(days=1), CAPTURED)[0].id == "a1"
        if "story_index" in tables:
            assert [h.story.story_id for h in upgraded.search_stories("dockers").hits] == ["s1"]


def test_a_newer_store_is_refused(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(len(MIGRATIONS) + 1)}
        )
    with pytest.raises(Exception, match="newer than this digest"):
        open_store(store_url)


# --- PostgreSQL: hosts opening one database at once, the advisory run lock, rows claimed once ----------


def test_hosts_opening_a_new_database_at_once_migrate_it_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_store(postgres_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with open_store(postgres_url) as store:
        assert store.version() == SCHEMA_VERSION


def test_the_run_lock_excludes_runs_and_shares_between_sends(postgres_url: str) -> None:
    with database_lock(postgres_url) as held:
        assert held
        with database_lock(postgres_url) as other, database_lock(postgres_url, shared=True) as send:
            assert not other and not send
    with database_lock(postgres_url, shared=True) as one, database_lock(postgres_url, shared=True) as two:
        assert one and two
        with database_lock(postgres_url, timeout=0.3) as run:
            assert not run
    with database_lock(postgres_url) as again:  # released at the end of each block
        assert again


def test_a_claimed_row_is_skipped_by_a_second_sender_until_its_outcome_commits(postgres_url: str) -> None:
    with open_store(postgres_url) as first, open_store(postgres_url) as second:
        first.enqueue(DAY, ["ana@example.org", "ben@example.org"], NOW)
        with first.claim_outbox(DAY, "ana@example.org") as claim:
            assert claim is not None
            claim.record("sending", NOW, message_id="<m@x>", attempted=True)
            with second.claim_outbox(DAY, "ana@example.org") as theirs:
                assert theirs is None  # locked: skipped, not waited for
            with second.claim_outbox(DAY, "ben@example.org") as theirs:
                assert theirs is not None  # the other row is free
            assert second.outbox(DAY)[0].status == "pending"  # uncommitted until the claim ends
            claim.record("sent", NOW)
        assert [e.status for e in second.outbox(DAY)] == ["sent", "pending"]
        with second.claim_outbox(DAY, "ana@example.org") as theirs:
            assert theirs is None  # sent: nothing to claim


def test_a_missing_postgres_database_is_a_one_line_error(postgres_url: str) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(Exception, match=r'database "no_such_database" does not exist; create it') as info:
        open_store(url)
    assert "\n" not in str(info.value)


def test_serve_searches_a_postgres_store(postgres_url: str, tmp_path: Path, samples_dir: Path) -> None:
    from digest.config import Settings
    from digest.pipeline import build_day
    from digest.web import create_app

    settings = Settings(store_url=postgres_url, out_dir=str(tmp_path / "out"))
    build_day(settings, DAY, tmp_path / "out", [str(samples_dir)], pdf=False)
    app = create_app(settings, tmp_path / "out", "127.0.0.1")
    try:
        response = app.test_client().get("/search?q=flood")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
    finally:
        app.extensions["digest"].store.close()
    assert 'class="hit"' in html and "<mark>" in html.lower()
