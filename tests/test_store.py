from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from digest.ingest import read_inputs
from digest.store import SCHEMA_VERSION, open_store
from tests.conftest import CAPTURED, DAY


def test_same_input_twice_stores_nothing_new(tmp_path: Path, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert store.add_articles(articles) == 39
        assert store.add_articles(articles) == 0
        assert store.count_articles() == 39


def test_editions_round_trip_in_order(tmp_path: Path, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as store:
        store.add_articles(articles)
        store.set_edition(DAY, [a.id for a in reversed(articles)])
    with open_store(url) as store:  # a fresh connection reads the same thing back
        assert store.edition(DAY) == list(reversed(articles))
        assert store.days() == [DAY]
        assert store.edition(DAY + dt.timedelta(days=1)) == []
        store.set_edition(DAY, [articles[0].id])
        assert store.edition(DAY) == [articles[0]]


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert store.version() == SCHEMA_VERSION
        store.migrate()  # idempotent
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_articles_between(tmp_path: Path, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.add_articles(articles)
        start = dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC)
        got = store.articles_between(start, CAPTURED)
        assert got and all(start <= a.published < CAPTURED for a in got if a.published)
        assert [a.published for a in got] == sorted(a.published for a in got)
