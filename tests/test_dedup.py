"""Duplicates to one article listing every outlet; near-misses stay apart; a quality gate on the built set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from digest.ingest.common import make_article as _make
from digest.stories.dedup import canonical_url, dedup_articles, duplicate_groups


def make_article(**fields: object):  # type: ignore[no-untyped-def]
    return _make(source="test", **fields)  # type: ignore[arg-type]


ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
STORY = (
    "Tarnwick's harbour board voted on Monday to extend the northern quay by ninety metres, a project it "
    "says will let two cargo ships unload at once for the first time. Work is due to start in March and to "
    "take about eighteen months, the board's chair Ola Brenner told reporters after the vote.\n\n"
    "Dock workers welcomed the plan, saying ships now wait offshore for up to two days in the autumn. "
    "Opponents argued the cost, put at forty-one million crowns, should be shared with the region."
)
OTHER = (
    "Opponents of the Tarnwick quay extension said on Tuesday they would ask the regional court to review "
    "the harbour board's decision, arguing that the environmental study ignored the eelgrass beds north "
    "of the pier.\n\nThe board said the study followed national rules and that work would begin as planned "
    "in March, with dredging limited to the winter months to protect spawning fish."
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.post.example/news/quay?utm_source=rss&utm_medium=feed", "http://post.example/news/quay"),
        ("https://m.post.example/news/quay/", "https://post.example/news/quay#comments"),
        ("https://post.example/news/quay/amp", "https://post.example/news/quay?fbclid=abc"),
        ("https://post.example:443/news/quay?id=7&gclid=1", "https://post.example/news/quay?id=7"),
    ],
)
def test_canonical_url_matches_disguises(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_what_names_the_article() -> None:
    assert canonical_url("https://post.example/news?id=7") != canonical_url("https://post.example/news?id=8")
    assert canonical_url("https://post.example/a") != canonical_url("https://other.example/a")


def test_same_article_two_urls_and_a_wire_copy_become_one() -> None:
    a = make_article(title="Quay to grow", text=STORY, url="https://post.example/quay", outlet="Post", published=T0)
    b = make_article(
        title="Quay to grow", text=STORY, url="https://m.post.example/quay?utm_source=x", outlet="Post", published=T0
    )
    wire = make_article(
        title="Harbour board backs longer quay",
        text="TARNWICK (Meridian Wire) - " + STORY + "\n\nReporting by Staff",
        url="https://wire.example/quay",
        outlet="Meridian Wire",
        published=T0 - dt.timedelta(hours=1),
    )
    other = make_article(title="Quay challenged", text=OTHER, url="https://post.example/quay-court", outlet="Post")
    kept = dedup_articles([a, b, other, wire])
    assert len(kept) == 2
    head = kept[0]
    assert head.id == wire.id  # the longest version represents the group
    assert set(head.also_in) == {
        ("Post", "https://post.example/quay"),
        ("Post", "https://m.post.example/quay?utm_source=x"),
    }
    assert kept[1].id == other.id  # same story, different article: kept apart
    assert head.to_json()["also_in"][0]["outlet"] == "Post"


def test_dedup_ignores_input_order() -> None:
    arts = [
        make_article(title=f"t{n}", text=STORY + f"\n\nEdition {n}.", url=f"https://o{n}.example/q", outlet=f"O{n}")
        for n in range(4)
    ] + [make_article(title="x", text=OTHER, url="https://x.example/")]
    forward = dedup_articles(arts)
    backward = dedup_articles(list(reversed(arts)))
    assert {a.id: a.also_in for a in forward} == {a.id: a.also_in for a in backward}
    assert len(forward) == 2


def test_short_texts_are_not_called_duplicates() -> None:
    a = make_article(title="a", text="Storm warning for the coast tonight.", url="https://a.example/1")
    b = make_article(title="b", text="Storm warning for the coast tonight.", url="https://b.example/2")
    assert duplicate_groups([a, b]) == [[0], [1]]


def test_dedup_keeps_articles_without_duplicates_unchanged() -> None:
    a = make_article(title="a", text=STORY, url="https://a.example/1")
    [kept] = dedup_articles([a])
    assert kept == dataclasses.replace(a)


def test_quality_gate_on_the_built_set() -> None:
    spec = importlib.util.spec_from_file_location("eval_dedup", ROOT / "benchmarks" / "eval_dedup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    articles, gold = module.build_set()
    precision, recall, *_ = module.score(articles, gold, module.OVERLAP_THRESHOLD)
    # Measured 0.999 / 1.000 (benchmarks/eval_dedup.py); a drop below these means a regression.
    assert precision >= 0.98 and recall >= 0.97
