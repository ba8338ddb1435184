"""Story continuity measured: how similar one story's signatures are from day to day, and others'.

digest.stories.continuity links a story to an earlier day's when their signatures' cosine reaches
LINK_THRESHOLD. This prints, for three sets, the cosines of pairs that are one story on two
days (should link) and of pairs that are not (must not), and the margin the threshold leaves:

- three_days: tests/fixtures/three_days (a dock strike over three days, a storm over two,
  one-offs), each day clustered as the pipeline does; gold threads from the titles.
- sample halves: each story of the sample day (digest/samples) split in two by publication
  time, alternate articles to "yesterday" and "today" (single-article stories go to one side).
- duc halves (only with ../shared or $DIGEST_SHARED): DUC 2004's 50 ten-article stories split
  the same way. A check, not a tuning set: the threshold sits in the gaps of the first two.

Run:

    python benchmarks/eval_continuity.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.ingest import read_inputs  # noqa: E402
from digest.ingest.common import make_article  # noqa: E402
from digest.models import Article, PriorStory  # noqa: E402
from digest.stories import cluster_articles, continuity  # noqa: E402
from digest.stories.continuity import (  # noqa: E402
    ANCHORS_NEEDED,
    LINK_THRESHOLD,
    ONE_ANCHOR_REST,
    anchored,
    link_stories,
    shared_anchors,
    signature_similarity,
    story_terms,
)

CAPTURED = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
THREE_DAYS = ROOT / "tests" / "fixtures" / "three_days"
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))


def _thread(article: Article) -> str:
    title = article.title
    if "Tarnby" in title:
        return "dock strike"
    if "Maren" in title:
        return "storm"
    return title


Pair = tuple[float, int, bool]  # (cosine, shared anchor terms, anchored by the rule)


def _report(name: str, same: list[Pair], other: list[Pair]) -> None:
    lo = min(s for s, _a, _k in same) if same else float("nan")
    hi = max(s for s, _a, _k in other) if other else float("nan")
    missed = sum(s < LINK_THRESHOLD for s, _a, _k in same)
    false = sum(s >= LINK_THRESHOLD for s, _a, _k in other)
    unanchored = sum(s >= LINK_THRESHOLD and not k for s, _a, k in same)
    anchored_false = sum(s >= LINK_THRESHOLD and k for s, _a, k in other)
    fewest = min((a for _s, a, _k in same), default=0)
    print(
        f"{name:14s} same story: n={len(same):3d} min={lo:.3f} median={sorted(same)[len(same) // 2][0]:.3f}  "
        f"different: n={len(other):5d} max={hi:.3f}  at {LINK_THRESHOLD}: missed {missed}, false links {false}; "
        f"anchored (>= {ANCHORS_NEEDED} anchors, or 1 and {ONE_ANCHOR_REST} of cosine besides): missed "
        f"{missed + unanchored}, false links {anchored_false} (same story shares >= {fewest})"
    )


def _cross(yesterday: list[tuple[str, tuple]], today: list[tuple[str, tuple]]) -> tuple[list[Pair], list[Pair]]:
    same, other = [], []
    for gold_a, sig_a in yesterday:
        for gold_b, sig_b in today:
            sim = signature_similarity(sig_a, sig_b)
            pair = (sim, shared_anchors(sig_a, sig_b), anchored(sig_a, sig_b, sim))
            (same if gold_a == gold_b else other).append(pair)
    return same, other


def _signed(groups: list[list[Article]], gold: dict[str, str]) -> list[tuple[str, tuple]]:
    sigs = story_terms(groups)
    out = []
    for g, sig in zip(groups, sigs, strict=True):
        labels = sorted(gold[a.id] for a in g)
        out.append((max(set(labels), key=labels.count), sig))
    return out


def three_days() -> None:
    """Each fixture day clustered; every pair of clusters on different days compared."""
    days = []
    for path in sorted(THREE_DAYS.glob("*.jsonl")):
        articles = list(read_inputs([str(path)], CAPTURED).articles)
        gold = {a.id: _thread(a) for a in articles}
        days.append(_signed(cluster_articles(articles), gold))
    same, other = [], []
    for i in range(len(days)):
        for j in range(i + 1, len(days)):
            s, o = _cross(days[i], days[j])
            same += s
            other += o
    print("three_days pairs on the same story:", ", ".join(f"{s:.3f} ({a} anchors)" for s, a, _k in sorted(same)))
    _report("three_days", same, other)


def _halves(stories: dict[str, list[Article]]) -> tuple[list[list[Article]], list[list[Article]], dict[str, str]]:
    gold, first, second = {}, [], []
    for name, members in sorted(stories.items()):
        members = sorted(members, key=lambda a: (a.published or CAPTURED, a.id))
        for a in members:
            gold[a.id] = name
        if members[0::2]:
            first.append(members[0::2])
        if members[1::2]:
            second.append(members[1::2])
    return first, second, gold


def split_halves(name: str, stories: dict[str, list[Article]]) -> None:
    """Each story halved into two pseudo-days; halves compared across the days."""
    first, second, gold = _halves(stories)
    same, other = _cross(_signed(first, gold), _signed(second, gold))
    _report(name, same, other)


def overlap_links(stories: dict[str, list[Article]], threshold: float) -> tuple[int, int, int, int]:
    """Link with the first 70% of stories on "yesterday" (first halves), the last 70% "today" (second halves).

    Returns (continuing stories, linked to their own, missed, false links): the middle 40% continue,
    the rest either ended yesterday or are new today, and related stories (DUC has two on the space
    station, two on Chinese dissidents) are there to tempt a false link.
    """
    names = sorted(stories)
    cut = len(names) * 3 // 10
    first, _, gold = _halves({n: stories[n] for n in names[: len(names) - cut]})
    _, second, gold_today = _halves({n: stories[n] for n in names[cut:]})
    gold.update(gold_today)
    yesterday = dt.date(2026, 11, 23)
    previous = [
        PriorStory(yesterday, gold[g[0].id], gold[g[0].id], (), terms)
        for g, terms in zip(first, story_terms(first), strict=True)
    ]
    continuity.LINK_THRESHOLD = threshold
    try:
        linked = link_stories(second, previous, yesterday + dt.timedelta(days=1))
    finally:
        continuity.LINK_THRESHOLD = LINK_THRESHOLD
    before = {p.story_id for p in previous}
    own = missed = false = 0
    for group in linked:
        name = gold[group.articles[0].id]
        if group.status == "developing":
            own += group.story_id == name
            false += group.story_id != name
        elif name in before:
            missed += 1
    return len(before & {gold[g[0].id] for g in second}), own, missed, false


def sweep(name: str, stories: dict[str, list[Article]]) -> None:
    """overlap_links at a range of thresholds."""
    for threshold in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        total, own, missed, false = overlap_links(stories, threshold)
        mark = " <- LINK_THRESHOLD" if threshold == LINK_THRESHOLD else ""
        print(f"{name:14s} link at {threshold:.2f}: {own}/{total} continue, {missed} missed, {false} false links{mark}")


def sample_stories() -> dict[str, list[Article]]:
    """The sample day grouped as the pipeline groups it (the stories match MANIFEST.md)."""
    articles = list(read_inputs([str(ROOT / "digest" / "samples")], CAPTURED).articles)
    return {f"story {n}": g for n, g in enumerate(cluster_articles(articles))}


def duc_stories() -> dict[str, list[Article]]:
    """DUC 2004's 50 stories of 10 articles (read for measuring only)."""
    out: dict[str, list[Article]] = {}
    for folder in sorted((SHARED / "eval" / "duc2004" / "docs").iterdir()):
        for n, path in enumerate(sorted(folder.glob("*.txt"))):
            text = path.read_text("utf-8", errors="replace").strip()
            out.setdefault(folder.name, []).append(
                make_article(
                    title=text.split(".")[0][:120],
                    text=text,
                    source=str(path),
                    published=CAPTURED - dt.timedelta(hours=n),
                    language="en",
                )
            )
    return out


def main() -> None:
    """Print the three measurements."""
    print(f"LINK_THRESHOLD = {LINK_THRESHOLD}")
    three_days()
    samples = sample_stories()
    split_halves("sample halves", samples)
    sweep("sample halves", samples)
    if (SHARED / "eval" / "duc2004" / "docs").is_dir():
        duc = duc_stories()
        split_halves("duc halves", duc)
        sweep("duc halves", duc)
    else:
        print(f"duc halves     skipped: no {SHARED}/eval/duc2004 (set DIGEST_SHARED)")


if __name__ == "__main__":
    main()
