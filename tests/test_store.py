from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from digest.ingest import read_inputs
from digest.store import SCHEMA_VERSION, open_store
from tests.conftest import CAPTURED, DAY


def test_same_input_twice_stores_nothing_new(store_url: str, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    with open_store(store_url) as store:
        assert store.add_articles(articles) == 39
        assert store.add_articles(articles) == 0
        assert store.count_articles() == 39


def test_editions_round_trip_in_order(store_url: str, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    url = store_url
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


def test_articles_between(store_url: str, samples_dir: Path) -> None:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    with open_store(store_url) as store:
        store.add_articles(articles)
        start = dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC)
        got = store.articles_between(start, CAPTURED)
        assert got and all(start <= a.published < CAPTURED for a in got if a.published)
        assert [a.published for a in got] == sorted(a.published for a in got)


# --- issue 12: a damaged, full or read-only store is one line, never a traceback ----------------------


def _digest(config: Path, *args: str, limit: int = 0) -> subprocess.CompletedProcess[str]:
    """`digest --config config ARGS` as its own process; limit caps the size of any file it writes."""
    code = (
        "import resource, signal, sys\n"
        f"if {limit}:\n"
        "    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
        "from digest.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "--config", str(config), *args], capture_output=True, text=True, check=False
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1 and lines[0].startswith("digest: error: "), proc.stderr
    assert all(n in lines[0] for n in needles), lines[0]


@pytest.fixture
def built_store(tmp_path: Path, samples_dir: Path) -> tuple[Path, Path]:
    """A config and its store holding the sample day."""
    config = tmp_path / "digest.toml"
    db = tmp_path / "digest.db"
    config.write_text(f'[store]\nurl = "sqlite:///{db}"\n[output]\ndir = "{tmp_path}/out"\n', encoding="utf-8")
    proc = _digest(config, "build", "--no-pdf", "--input", str(samples_dir), "--date", "2026-11-24")
    assert proc.returncode == 0, proc.stderr
    return config, db


def test_a_corrupted_store_page_is_a_one_line_error(built_store: tuple[Path, Path]) -> None:
    config, db = built_store
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # every page after the first two: b-tree headers gone
        data[start : start + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    _one_line_error(_digest(config, "build", "--no-pdf", "--date", "2026-11-24"), "the store", "damaged")


def test_a_dropped_table_is_a_one_line_error(built_store: tuple[Path, Path]) -> None:
    config, db = built_store
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE stories")
    _one_line_error(_digest(config, "build", "--no-pdf", "--date", "2026-11-24"), "no such table: stories")


def test_a_full_disk_during_a_store_write_is_a_one_line_error(tmp_path: Path, samples_dir: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path}/d.db"\n[output]\ndir = "{tmp_path}/out"\n')
    proc = _digest(config, "build", "--no-pdf", "--input", str(samples_dir), "--date", "2026-11-24", limit=120_000)
    _one_line_error(proc, "the store", "is it full?")


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (for root, who ignores modes: /sys)."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    probe = Path("/sys/digest-probe")
    try:
        probe.mkdir()
    except OSError:
        return Path("/sys")
    probe.rmdir()
    pytest.skip("no read-only folder for root on this machine")


def test_a_read_only_store_folder_is_a_one_line_error(tmp_path: Path) -> None:
    folder = _read_only_folder(tmp_path)
    config = tmp_path / "digest.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{folder}/digest.db"\n[output]\ndir = "{tmp_path}/out"\n')
    _one_line_error(_digest(config, "run", "--no-pdf"), "lock file", "writable")
    _one_line_error(_digest(config, "sources"), "the store")
