"""benchmarks/bench_day.py: its synthetic day stays deterministic and realistic, its log parsing tolerant."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_day.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_day", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_day"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def day(bench):
    return list(bench.generate_day(300, seed=7))


def test_generator_is_deterministic(bench, day, tmp_path):
    assert list(bench.generate_day(300, seed=7)) == day
    assert list(bench.generate_day(300, seed=8)) != day
    assert bench.write_day(tmp_path, 300, seed=7) == (300, len({s for s, _r in day}))
    lines = [line for f in sorted(tmp_path.glob("*.jsonl")) for line in f.read_text(encoding="utf-8").splitlines()]
    assert [json.loads(line) for line in lines] == [r for _s, r in day]


def test_story_sizes_are_heavy_tailed(day):
    sizes = sorted(Counter(story for story, _record in day).values())
    assert sum(sizes) == 300
    assert 300 / 15 <= len(sizes) <= 300 / 8
    assert sum(1 for s in sizes if s <= 2) >= 0.3 * len(sizes)  # many stories of one or two articles
    assert sizes[-1] >= 30 and sizes[-1] >= 5 * sizes[len(sizes) // 2]  # and a few big ones


def test_records_look_like_a_day_of_news(day):
    records = [r for _s, r in day]
    assert len({r["url"] for r in records}) == 300
    assert 20 <= len({r["outlet"] for r in records}) <= 40
    start, end = dt.datetime(2026, 11, 23, 6, 30, tzinfo=dt.UTC), dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
    for r in records:
        assert set(r) == {"title", "text", "url", "outlet", "published"}
        assert r["published"].endswith("+00:00") and start < dt.datetime.fromisoformat(r["published"]) < end
        assert 6 <= len(r["title"].split()) <= 14
        words = len(r["text"].split())
        assert 80 <= words <= 1000
        assert re.search(r"[a-z][.,] [A-Z\"“]", r["text"])
    assert any("\n\n" in r["text"] for r in records)
    lengths = sorted(len(r["text"].split()) for r in records)
    assert 200 <= lengths[len(lengths) // 2] <= 420  # median near 300


def test_stage_lines_parse_tolerantly(bench):
    log = "\n".join(
        [
            "digest: INFO: store migrated to schema 1",
            "digest: INFO: stage read: 1.50 s (500 files -> 475 articles)",
            "digest: INFO: stage cluster: 2.31 s (475 articles -> 52 stories)",
            "digest: DEBUG: stage build: 2026-11-24 from 475 articles, 0 earlier stories",
            "digest: INFO: stage summarize: 0.5 s",
            "digest: INFO: stage summarize: 0.25 s (again)",
        ]
    )
    assert bench.parse_stages(log) == {"read": 1.5, "cluster": 2.31, "summarize": 0.75}
    assert bench.parse_stages("no stages here") == {}


def test_articles_accounted_with_or_without_duplicates(bench):
    briefing = {
        "stories": [
            {"articles": [{"id": "a", "duplicates": [{"id": "b"}, {"id": "c"}]}, {"id": "d"}]},
            {"articles": [{"id": "e", "duplicates": []}]},
        ]
    }
    assert bench.count_accounted(briefing) == (2, 5)
    assert bench.count_accounted({"stories": []}) == (0, 0)
