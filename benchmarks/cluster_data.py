"""Gold-data loading and clustering metrics for the clustering benchmarks (measurement only).

DUC text is read at run time from the read-only shared folder and never copied.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

SHARED = os.environ.get("DIGEST_SHARED", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"))
DUC_DIR = os.path.join(SHARED, "eval", "duc2004", "docs")
SEED_FILE = os.path.join(SHARED, "seeds", "000_d3217e209b3617a3.txt")


def require_shared() -> None:
    """Exit with a clear message when the shared evaluation data is not there."""
    if not os.path.isdir(DUC_DIR):
        raise SystemExit(f"needs the DUC 2004 data at {DUC_DIR} (set DIGEST_SHARED to the shared folder)")


_ABBR = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "jr", "sr", "vs", "st",
         "mt", "ft", "corp", "inc", "co", "ltd", "no", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "u.s", "u.n"}


def first_sentence(text: str, max_chars: int = 160) -> str:
    flat = " ".join(text.split())
    for m in re.finditer(r"(?<=[a-z0-9\"'`)])[.!?](?:''|\")?\s+(?=[A-Z`\"'(])", flat):
        prev = flat[: m.start()].split()[-1].lower().strip("`'\"(") if flat[: m.start()].split() else ""
        if prev in _ABBR or (len(prev) == 1 and prev.isalpha()):
            continue
        return flat[: m.end()].strip()[:max_chars]
    return flat[:max_chars]


def load_duc(root: str = DUC_DIR):
    """Return (clusters, titles, texts, labels): clusters sorted by name, docs in file order.

    DUC documents carry no headline, so the title is the lead sentence."""
    clusters = sorted(os.listdir(root))
    titles, texts, labels = [], [], []
    for ci, c in enumerate(clusters):
        for f in sorted(os.listdir(os.path.join(root, c))):
            with open(os.path.join(root, c, f), encoding="utf-8", errors="replace") as fh:
                t = fh.read()
            texts.append(t)
            titles.append(first_sentence(t))
            labels.append(ci)
    return clusters, titles, texts, np.asarray(labels)


def split_tune_heldout(clusters: Sequence[str]):
    """Alternate over the sorted cluster names: even positions tune, odd positions held out."""
    order = sorted(range(len(clusters)), key=lambda i: clusters[i])
    tune = sorted(order[0::2])
    held = sorted(order[1::2])
    return tune, held


def load_seed(path: str = SEED_FILE):
    """Split the seed page by hand-known structure into 4 (title, text) articles.

    Main article: first non-empty line is the title, the next lines up to 'Short link' are the body.
    Related articles: each is introduced by a '- Source' line, followed by a title line and a body line."""
    with open(path, encoding="utf-8") as fh:
        lines = [l.rstrip("\n") for l in fh]
    nonempty = [i for i, l in enumerate(lines) if l.strip()]
    t0 = nonempty[0]
    end = next(i for i in range(t0, len(lines)) if lines[i].startswith("Short link"))
    arts = [(lines[t0].strip(), "\n".join(lines[t0 + 1:end]).strip())]
    for i, l in enumerate(lines):
        if l.startswith("- ") and i + 2 < len(lines):
            arts.append((lines[i + 1].strip(), lines[i + 2].strip()))
    return arts


def sample_days(g, sizes, reps, seed=0):
    """Random days drawn from the stories in g (gold labels): for each size n, reps days of about n articles.
    n <= 10: 1-6 stories; larger n: n//10 to 25 stories. Each chosen story gets >= 1 article, the rest spread at
    random; a DUC story has 10 articles, so a big day can come out a little smaller than n."""
    rng = np.random.default_rng(seed)
    stories = sorted(set(g.tolist()))
    by = {s: np.flatnonzero(g == s) for s in stories}
    days = []
    for n in sizes:
        for r in range(reps):
            k = int(rng.integers(1, min(n, 6) + 1)) if n <= 10 else int(rng.integers(max(1, n // 10), min(n, 25) + 1))
            ss = rng.choice(stories, size=k, replace=False)
            # each story at least one doc, the rest spread at random
            counts = np.ones(k, int) + np.bincount(rng.integers(0, k, n - k), minlength=k)
            idx = np.concatenate([rng.choice(by[s], size=min(c, len(by[s])), replace=False) for s, c in zip(ss, counts)])  # a story has <= 10 docs, so big days may be a bit smaller than n
            rng.shuffle(idx)
            days.append(idx)
    return days


# ---------------------------------------------------------------- metrics

def bcubed(pred: Sequence[int], gold: Sequence[int]):
    """B-cubed precision, recall, F1 (Bagga & Baldwin; item-averaged, F = harmonic mean of P and R)."""
    pred = np.asarray(pred)
    gold = np.asarray(gold)
    pair = Counter(zip(pred.tolist(), gold.tolist()))
    csize = Counter(pred.tolist())
    gsize = Counter(gold.tolist())
    p = sum(n * n / csize[c] for (c, g), n in pair.items()) / len(pred)
    r = sum(n * n / gsize[g] for (c, g), n in pair.items()) / len(pred)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def scores(pred, gold):
    from sklearn.metrics import adjusted_rand_score

    p, r, f = bcubed(pred, gold)
    return {"P": p, "R": r, "F1": f, "ARI": adjusted_rand_score(gold, pred), "k": len(set(pred)),
            "k_gold": len(set(gold))}


def fmt(s):
    return "B3 P={P:.3f} R={R:.3f} F1={F1:.3f}  ARI={ARI:.3f}  clusters={k} (gold {k_gold})".format(**s)


DUC06_DIR = os.path.join(SHARED, "eval", "duc2006")


def parse_time(value: str):
    """POSIX seconds (UTC) from docs.tsv's date_time ("1999-07-07 08:30:27", "08/12/1998 13:29:00", "1996-10-27")."""
    from datetime import UTC, datetime

    value = value.strip()
    for f in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, f).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return None


def load_duc2006(root: str = DUC06_DIR):
    """Return (topics, titles, texts, labels, times, outlets, human_titles): topics sorted by name, docs in file order.

    Each file opens with its headline line; the title is that line and the text the rest."""
    import csv

    with open(os.path.join(root, "docs.tsv"), encoding="utf-8") as fh:
        meta = {r["file"]: r for r in csv.DictReader(fh, delimiter="\t")}
    with open(os.path.join(root, "topics.tsv"), encoding="utf-8") as fh:
        human = {r["topic"]: r["title"] for r in csv.DictReader(fh, delimiter="\t")}
    topics = sorted(os.listdir(os.path.join(root, "docs")))
    titles, texts, labels, times, outlets = [], [], [], [], []
    for ti, t in enumerate(topics):
        for f in sorted(os.listdir(os.path.join(root, "docs", t))):
            with open(os.path.join(root, "docs", t, f), encoding="utf-8", errors="replace") as fh:
                raw = fh.read().strip()
            head, _, body = raw.partition("\n")
            titles.append(head.strip())
            texts.append(body.strip())
            labels.append(ti)
            m = meta.get(f"{t}/{f}", {})
            times.append(parse_time(m.get("date_time", "")))
            outlets.append(m.get("outlet", ""))
    return topics, titles, texts, np.asarray(labels), times, outlets, [human.get(t, "") for t in topics]
