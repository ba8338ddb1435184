"""Story continuity at scale: link a day of 1k, 10k and 100k articles to the three days before it.

Synthetic days: each story has three invented names and 20 topic words of its own (drawn from a
shared vocabulary of 3,000 invented words); its articles (1-7, of 60-120 words) are half names
and topic words, half words drawn from the whole vocabulary with a Zipf-like spread (so common
words are common, as in news). A third of each day's stories continue a story of the day
before: same names, 14 of its 20 topic words and 6 new ones. Prints, per size: time to make the day's signatures
(story_terms) and to link (link_stories, signatures included), its peak traced memory, how many continuing stories were
found and how many links were false, and the growth ratio of time from one size to the next
(10x the articles; near-linear is ~10x).

Run:

    python benchmarks/bench_continuity.py            # 1k, 10k, 100k articles
    python benchmarks/bench_continuity.py 1000 10000 # chosen sizes
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.models import Article, PriorStory  # noqa: E402
from digest.stories.continuity import link_stories, story_terms  # noqa: E402

DAY = dt.date(2026, 11, 24)
VOCABULARY = 3000
SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vel", "dor", "sun", "bri", "mo", "tak", "ula", "zen", "fe", "gar")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def _day(
    rng: random.Random, vocab: list[str], weights: list[float], n_articles: int, day: dt.date, carried: list[list[str]]
) -> tuple[list[list[Article]], list[list[str]], list[int]]:
    """A day's groups, each group's names, and for each group the index of yesterday's story it continues (-1)."""
    groups, names, parent = [], [], []
    count = 0
    waiting = rng.sample(range(len(carried)), len(carried))  # each story continues at most once
    while count < n_articles:
        if waiting and rng.random() < 1 / 3:
            k = waiting.pop()
            story_names, origin = carried[k], k
            # A day later the story keeps its names and most of its topic words.
            story_names = story_names[:3] + rng.sample(story_names[3:], 14) + rng.sample(vocab[200:], 6)
        else:
            story_names = [_word(rng, 4).capitalize() for _ in range(3)] + rng.sample(vocab[200:], 20)
            origin = -1
        size = rng.randint(1, 7)
        members = []
        for n in range(size):
            length = rng.randint(60, 120)
            words = rng.choices(vocab, weights, k=length // 2) + [rng.choice(story_names) for _ in range(length // 2)]
            rng.shuffle(words)
            members.append(
                Article(
                    id=f"{day}-{len(groups)}-{n}",
                    title=" ".join(story_names[:2] + words[:5]),
                    text=" ".join(words) + ".",
                    published=dt.datetime.combine(day, dt.time(8), dt.UTC),
                )
            )
        groups.append(members)
        names.append(story_names)
        parent.append(origin)
        count += size
    return groups, names, parent


def run(n_articles: int) -> float:
    """Build three earlier days and today at n_articles each; link today; print the figures."""
    rng = random.Random(n_articles)
    vocab = sorted({_word(rng, 3) for _ in range(VOCABULARY * 2)})[:VOCABULARY]
    weights = [1 / (r + 1) for r in range(len(vocab))]
    previous: list[PriorStory] = []
    carried: list[list[str]] = []
    ids: list[str] = []
    for back in (3, 2, 1):
        day = DAY - dt.timedelta(days=back)
        groups, names, parent = _day(rng, vocab, weights, n_articles, day, carried)
        # A continuing story keeps its id, as digest gives it, so the truth is a chain of ids.
        ids = [ids[p] if p >= 0 else f"{day}-{n}" for n, p in enumerate(parent)]
        previous += [
            PriorStory(day, sid, sid, tuple(a.id for a in g), sig)
            for sid, g, sig in zip(ids, groups, story_terms(groups), strict=True)
        ]
        carried = names
    groups, _names, parent = _day(rng, vocab, weights, n_articles, DAY, carried)
    start = time.perf_counter()
    story_terms(groups)
    terms_s = time.perf_counter() - start
    linked = link_stories(groups, previous, DAY)
    total_s = time.perf_counter() - start - terms_s
    tracemalloc.start()  # a second run for memory: tracing slows Python several times over
    link_stories(groups, previous, DAY)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    yesterday = ids
    continuing = sum(p >= 0 for p in parent)
    found = sum(
        lg.status == "developing" and p >= 0 and lg.story_id == yesterday[p]
        for lg, p in zip(linked, parent, strict=True)
    )
    false = sum(lg.status == "developing" for lg in linked) - found
    print(
        f"{n_articles:>7} articles {len(groups):>6} stories vs {len(previous):>6} earlier: "
        f"signatures {terms_s:6.2f}s, link (with them) {total_s:6.2f}s, peak {peak / 2**20:5.0f} MiB; "
        f"continuing {found}/{continuing} found, {false} other links"
    )
    return total_s


def main() -> None:
    """Run the sizes given (default 1k, 10k, 100k articles) and print growth ratios."""
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10_000, 100_000]
    times = [run(n) for n in sizes]
    for (a, ta), (b, tb) in itertools.pairwise(zip(sizes, times, strict=True)):
        print(f"{a} -> {b} articles ({b / a:.0f}x): time x{tb / ta:.1f}")


if __name__ == "__main__":
    main()
