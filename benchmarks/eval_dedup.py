"""Duplicate detection measured: precision and recall of digest.stories.dedup on a set built from our own articles.

The set: every article of digest/samples and tests/fixtures/three_days (all written for the
project), each with programmatic variants that are the same article — the same text at a tracking
/mobile URL, a wire copy under another outlet with a dateline and credit line, a re-edit (words
changed in some sentences), a cut copy (last paragraphs dropped), a changed lede (first paragraph
rewritten) — plus near-misses that must stay apart: the other articles of the same story (the
samples hold 6 stories of 5-7 different articles each), and a round-up that quotes one paragraph
from each of three articles.

Scores are pairwise: a pair of articles is "the same" in the gold set when they come from one
base article; precision and recall count pairs. Run:

    python benchmarks/eval_dedup.py            # the chosen threshold, and a sweep
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.ingest import read_inputs  # noqa: E402
from digest.ingest.common import make_article  # noqa: E402
from digest.models import Article  # noqa: E402
from digest.stories.dedup import MIN_JACCARD, OVERLAP_THRESHOLD, duplicate_groups  # noqa: E402

CAPTURED = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
# Duplicates the samples hold on purpose (digest/samples/MANIFEST.md, "Near-duplicate pair"): gold says same.
KNOWN_DUPLICATES = [
    (
        "Bank of Valoria raises policy rate to 6.25% as inflation climbs",
        "Bank of Valoria lifts policy rate to 6.25% as inflation climbs",
    )
]
SWAPS = {
    "said": "told reporters",
    "on Monday": "on Monday afternoon",
    "about": "around",
    "more than": "over",
    "would": "will",
    "the": "this",
    "because": "as",
    "also": "additionally",
}


def base_articles() -> list[Article]:
    """Our own articles: the sample day and the three-day test fixtures."""
    result = read_inputs([str(ROOT / "digest" / "samples"), str(ROOT / "tests" / "fixtures" / "three_days")], CAPTURED)
    return [a for a in result.articles if len(a.text.split()) >= 60]


def _paras(a: Article) -> list[str]:
    return [p for p in a.text.split("\n\n") if p.strip()]


def _reedit(text: str, rng: random.Random) -> str:
    out = []
    for sentence in text.split(". "):
        if rng.random() < 0.35:
            for old, new in SWAPS.items():
                if f" {old} " in sentence:
                    sentence = sentence.replace(f" {old} ", f" {new} ", 1)
                    break
        out.append(sentence)
    return ". ".join(out)


def variants(a: Article, n: int, rng: random.Random) -> list[Article]:
    """Copies of a that are the same article in another guise."""
    paras = _paras(a)
    url = a.url or f"https://outlet{n}.example/news/{a.id}"
    v = [
        dataclasses.replace(
            a, id=f"{a.id}-url", url=url.replace("https://", "https://m.") + "?utm_source=feed&fbclid=x"
        ),
        make_article(
            title=f"{a.title} (wire)",
            text=f"PORT ELMSTEAD (Meridian Wire) - {a.text}\n\nReporting by Staff; editing by Desk",
            url=f"https://copy{n}.example/wire/{n}",
            outlet=f"Copy Outlet {n}",
            source="variant",
        ),
        make_article(title=a.title, text=_reedit(a.text, rng), url=f"https://edit{n}.example/{n}", source="variant"),
    ]
    if len(paras) >= 4:
        keep = max(2, int(len(paras) * 0.6))
        v.append(
            make_article(title=a.title, text="\n\n".join(paras[:keep]), url=f"https://cut{n}.example/{n}", source="v")
        )
        lede = "Officials confirmed the development late on Monday, and reactions came in through the evening."
        v.append(
            make_article(
                title=a.title, text="\n\n".join([lede, *paras[1:]]), url=f"https://lede{n}.example/{n}", source="v"
            )
        )
    return v


def build_set(seed: int = 20261124) -> tuple[list[Article], list[int]]:
    """(articles, gold group number of each)."""
    rng = random.Random(seed)
    bases = base_articles()
    label = {n: n for n in range(len(bases))}
    index = {a.title: n for n, a in enumerate(bases)}
    for first, second in KNOWN_DUPLICATES:
        if first in index and second in index:
            label[index[second]] = index[first]
    articles: list[Article] = []
    gold: list[int] = []
    for n, a in enumerate(bases):
        for member in [a, *variants(a, n, rng)]:
            articles.append(member)
            gold.append(label[n])
    # Round-ups: one paragraph quoted from each of three articles (a new article that shares text with each).
    group = len(bases)
    for n, (a, b, c) in enumerate(zip(bases, bases[1:] + bases[:1], bases[2:] + bases[:2], strict=True)):
        pa, pb, pc = _paras(a), _paras(b), _paras(c)
        if min(len(pa), len(pb), len(pc)) >= 2:
            text = "\n\n".join([pa[1], pb[1], pc[1]])
            articles.append(
                make_article(title=f"Round-up {n}", text=text, url=f"https://roundup.example/{n}", source="r")
            )
            gold.append(group)
            group += 1
    return articles, gold


def score(
    articles: list[Article], gold: list[int], threshold: float, min_jaccard: float = MIN_JACCARD
) -> tuple[float, float, int, int, int]:
    """(precision, recall, true pairs found, false pairs, gold pairs) over all article pairs."""
    groups = duplicate_groups(articles, threshold, min_jaccard)
    predicted = {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}
    truth = {(i, j) for i, j in itertools.combinations(range(len(articles)), 2) if gold[i] == gold[j]}
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    precision = tp / (tp + fp) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    return precision, recall, tp, fp, len(truth)


def main() -> None:
    articles, gold = build_set()
    stories = len(set(gold))
    print(f"set: {len(articles)} articles, {stories} gold groups (base articles + round-ups)")
    start = time.perf_counter()
    p, r, tp, fp, total = score(articles, gold, OVERLAP_THRESHOLD)
    took = time.perf_counter() - start
    print(
        f"overlap {OVERLAP_THRESHOLD}, Jaccard floor {MIN_JACCARD}: precision {p:.3f} recall {r:.3f} "
        f"({tp}/{total} gold pairs, {fp} false) in {took * 1000:.0f} ms"
    )
    print("sweep: overlap of the shorter text (rows) x Jaccard floor (columns), precision/recall")
    floors = (0.0, 0.2, 0.3, 0.35, 0.4, 0.5)
    print("         " + "".join(f"{j:>14.2f}" for j in floors))
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        cells = []
        for j in floors:
            p, r, *_ = score(articles, gold, t, j)
            cells.append(f"{p:.3f}/{r:.3f}".rjust(14))
        print(f"  {t:.1f}    " + "".join(cells))


if __name__ == "__main__":
    main()
