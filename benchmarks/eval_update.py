"""Developing stories over several days, measured through `digest build` with one store.

Two three-day sets, each day built as a user would (``digest build --input DAY/ --date D``, one
SQLite store for all three days, in a temp folder):

- duc2006: each of DUC 2006's 50 topics (25 articles) sorted by publication time and cut into
  three days of 9 / 8 / 8 articles; every topic runs on all three days.
- duc2004: each of DUC 2004's 50 stories (10 articles) cut into halves, alternate articles by
  file order; the first half runs on day 1, the second on day 2 (even stories) or on day 3 (odd
  stories: absent for a day, so they must be found across LOOKBACK_DAYS).

Gold: the topic a file came from. A story leads with the topic(s) of most of its articles.

Printed per set and per half of the topics (tuning: even positions of the sorted topic names, the
half to tune KNOWN_WEIGHT and RELABEL_GROWTH on; held-out: odd positions. Both constants are still
first settings, not tuned: the halves are printed apart so that tuning can start on one):

- continuity (kept / lost / false): a story of day 2 or 3 is continuing when a topic it leads
  with led a story on an earlier day of the lookback; it is kept when it has the id of one of
  those stories, else lost. A developing story none of whose leading topics had an article in the
  versions it continues is a false continuation. A story whose topic another of the day's stories
  continues (clustering split the topic that day; one to one, only one part can keep the id) is
  counted apart, as "split". When clustering merges two topics into one story on a day, that
  story continues one of them and the other topic has no story of its own that day: clustering's
  loss, not continuity's, and not counted.
- reachable (a second figure; the strict one above is unchanged): the continuing stories whose
  signature (as the store recorded it) shares at least one of its ANCHOR_TERMS heaviest terms
  with, and has a cosine >= REACHABLE_COSINE to, the signature of at least one of those earlier
  stories of its topic. DUC 2006's broad query topics hold one-article stories with nothing in
  common with their topic's earlier stories (a writer's biography in "Generation X"): no
  comparison of the texts could link them, and this figure leaves them out.
- repetition: for each developing topic story, the share of its summary's word bigrams (lower-cased
  words, as sets) that the previous edition's summary of the story already had; for the update
  summaries the build wrote, and for today's method before this change (a generic summary of the
  day's articles, against the generic summary of the previous day's), same stories, same budget.
- ROUGE (duc2004, with --rouge; needs rouge-score): DUC's 100-word summaries of the second half,
  update (told the first half's briefing summary and articles) and generic, against the generic
  summary of all ten articles, scored with ../shared/eval/rouge_eval.py.

Run:

    python benchmarks/eval_update.py [--sets duc2006,duc2004] [--rouge] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cluster_data import first_sentence  # noqa: E402
from digest.models import Article, Told  # noqa: E402
from digest.store import open_store  # noqa: E402
from digest.stories.continuity import LOOKBACK_DAYS, shared_anchors, signature_similarity  # noqa: E402
from digest.summaries.summarize import summarize_story  # noqa: E402

SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
DAYS = (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4))
WORDS = 100  # the briefing's default summary_words
REACHABLE_COSINE = 0.1  # below this and with no anchor term in common, nothing in the texts links two stories
_WORD = re.compile(r"[a-z0-9]+")

Record = dict[str, str]  # one JSONL record as digest reads it


def _duc2006() -> dict[int, dict[str, list[Record]]]:
    """Day index -> topic -> records (the day's share of the topic's articles, oldest first)."""
    root = SHARED / "eval" / "duc2006"
    rows = [line.split("\t") for line in (root / "docs.tsv").read_text().splitlines()[1:]]
    by_topic: dict[str, list[tuple[str, str, str]]] = {}
    for file, _docno, outlet, when in rows:
        by_topic.setdefault(file.split("/")[0], []).append((when, file, outlet))
    days: dict[int, dict[str, list[Record]]] = {0: {}, 1: {}, 2: {}}
    for topic, docs in sorted(by_topic.items()):
        docs.sort()
        cuts = (docs[:9], docs[9:17], docs[17:])
        for d, part in enumerate(cuts):
            records = []
            for k, (_when, file, outlet) in enumerate(part):
                raw = (root / "docs" / file).read_text(encoding="utf-8", errors="replace")
                title, _, body = raw.partition("\n\n")
                records.append(_record(title.strip(), body, outlet, DAYS[d], k))
            days[d][topic] = records
    return days


def _duc2004() -> dict[int, dict[str, list[Record]]]:
    root = SHARED / "eval" / "duc2004" / "docs"
    days: dict[int, dict[str, list[Record]]] = {0: {}, 1: {}, 2: {}}
    for n, topic in enumerate(sorted(os.listdir(root))):
        files = sorted(os.listdir(root / topic))
        texts = [(root / topic / f).read_text(encoding="utf-8", errors="replace") for f in files]
        halves = (texts[0::2], texts[1::2])
        second = 1 if n % 2 == 0 else 2
        for d, part in ((0, halves[0]), (second, halves[1])):
            days[d][topic] = [_record(first_sentence(t), t, "", DAYS[d], k) for k, t in enumerate(part)]
    return days


def _record(title: str, text: str, outlet: str, day: dt.date, k: int) -> Record:
    published = dt.datetime.combine(day, dt.time(0, 10 + k), dt.UTC) - dt.timedelta(hours=6)
    return {"title": title, "text": text, "outlet": outlet, "published": published.isoformat()}


def _build(days: dict[int, dict[str, list[Record]]], work: Path, reuse: bool = False) -> list[dict]:
    """Build the three days through the CLI with one store; each day's briefing.json (reuse: as built before)."""
    if reuse and all((work / "out" / d.isoformat() / "briefing.json").is_file() for d in DAYS):
        return [json.loads((work / "out" / d.isoformat() / "briefing.json").read_text()) for d in DAYS]
    env = {**os.environ, "DIGEST_STORE_URL": f"sqlite:///{work / 'digest.db'}"}
    out = []
    for d, topics in sorted(days.items()):
        folder = work / "in" / DAYS[d].isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for topic, records in topics.items():
            lines = "".join(json.dumps(r) + "\n" for r in records)
            (folder / f"{topic}.jsonl").write_text(lines, encoding="utf-8")
        cmd = [sys.executable, "-m", "digest", "-q", "build", "--input", str(folder), "--date", DAYS[d].isoformat()]
        subprocess.run([*cmd, "--out", str(work / "out"), "--no-pdf"], check=True, env=env, cwd=work)
        out.append(json.loads((work / "out" / DAYS[d].isoformat() / "briefing.json").read_text()))
    return out


def _topic_of(source: str) -> str:
    return Path(source.split("#", 1)[0]).stem


def _story_topics(story: dict) -> Counter[str]:
    found: Counter[str] = Counter()
    for a in story["articles"]:
        found[_topic_of(a["source"])] += 1
        for dup in a.get("duplicates", []):
            found[_topic_of(dup["source"])] += 1
    return found


def _main_stories(briefing: dict) -> dict[str, dict]:
    """Topic -> the story holding most of its articles that day."""
    best: dict[str, tuple[tuple, dict]] = {}
    for s in briefing["stories"]:
        for topic, n in _story_topics(s).items():
            key = (n, len(s["articles"]), s["id"])
            if topic not in best or key > best[topic][0]:
                best[topic] = (key, s)
    return {t: s for t, (_k, s) in best.items()}


def _leaders(story: dict) -> set[str]:
    """The topics with the most articles in the story (several when tied)."""
    counts = _story_topics(story)
    top = max(counts.values())
    return {t for t, n in counts.items() if n == top}


def _bigrams(sentences: Sequence[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for text in sentences:
        words = _WORD.findall(text.lower())
        out.update(itertools.pairwise(words))
    return out


def _repeated(today: Sequence[str], before: Sequence[str]) -> float | None:
    mine = _bigrams(today)
    return len(mine & _bigrams(before)) / len(mine) if mine else None


def _articles(story: dict, texts: dict[str, str]) -> tuple[Article, ...]:
    return tuple(
        Article(
            id=a["id"],
            title=a["title"],
            text=texts[a["source"]],
            outlet=a["outlet"],
            published=dt.datetime.fromisoformat(a["published"]) if a["published"] else None,
        )
        for a in story["articles"]
    )


def _texts(work: Path, days: dict[int, dict[str, list[Record]]]) -> dict[str, str]:
    """briefing.json's source (path#N, as the build was given it) -> the article's text."""
    out = {}
    for d, topics in days.items():
        for topic, records in topics.items():
            path = work / "in" / DAYS[d].isoformat() / f"{topic}.jsonl"
            for k, r in enumerate(records):
                out[f"{path}#{k + 1}"] = r["text"]
    return out


def _evaluate(name: str, days: dict[int, dict[str, list[Record]]], briefings: list[dict], work: Path) -> dict:
    topics = sorted({t for d in days.values() for t in d})
    halves = {"tuning": set(topics[0::2]), "held-out": set(topics[1::2])}
    texts = _texts(work, days)
    by_id = [{s["id"]: s for s in b["stories"]} for b in briefings]
    rows: dict[str, Counter[str]] = {h: Counter() for h in halves}
    repeat: dict[str, dict[str, list[float]]] = {h: {"update": [], "generic": []} for h in halves}
    relabelled: list[str] = []
    with open_store(f"sqlite:///{work / 'digest.db'}") as store:
        recorded = {(p.day, p.story_id): p.terms for p in store.stories_between(DAYS[0], DAYS[-1])}
    generic_cache: dict[tuple[int, str], tuple[str, ...]] = {}

    def generic(d: int, story: dict) -> tuple[str, ...]:
        key = (d, story["id"])
        if key not in generic_cache:
            summary = summarize_story(_articles(story, texts), words=WORDS)
            generic_cache[key] = tuple(s.text for s in summary)
        return generic_cache[key]

    for d in range(1, len(briefings)):
        window = range(max(0, d - LOOKBACK_DAYS), d)
        for story in briefings[d]["stories"]:
            tops = _leaders(story)
            half = next(h for h, ts in halves.items() if min(tops) in ts)
            # Continuing: a topic it is mostly about led a story on an earlier day of the lookback.
            earlier = [s for e in window for s in briefings[e]["stories"] if _leaders(s) & tops]
            versions = [by_id[e][story["id"]] for e in window if story["id"] in by_id[e]]
            if story["status"] == "developing":
                had = {t for v in versions for t in _story_topics(v)}
                if not tops & had:  # none of its leading topics had an article in what it continues
                    rows[half]["false"] += 1
                if versions[-1]["label"] != story["label"]:
                    n = len(story["articles"])
                    relabelled.append(f"{versions[-1]['label']} -> {story['label']} ({n} articles)")
            if not earlier:
                continue
            earlier_ids = {e["id"] for e in earlier}
            mine = recorded[(DAYS[d], story["id"])]
            reachable = any(
                shared_anchors(mine, recorded[(DAYS[e], x["id"])]) >= 1
                and signature_similarity(mine, recorded[(DAYS[e], x["id"])]) >= REACHABLE_COSINE
                for e in window
                for x in briefings[e]["stories"]
                if _leaders(x) & tops
            )
            if story["id"] not in earlier_ids:
                # Another of today's stories of the same topic carries the earlier id: clustering
                # split the topic today, and only one part can continue it (one to one).
                if any(o["id"] in earlier_ids and _leaders(o) & tops for o in briefings[d]["stories"]):
                    rows[half]["split"] += 1
                else:
                    rows[half]["lost"] += 1
                    rows[half]["continuing"] += 1
                    rows[half]["reachable"] += reachable
                continue
            rows[half]["continuing"] += 1
            rows[half]["kept"] += 1
            rows[half]["reachable"] += reachable
            rows[half]["reachable kept"] += reachable
            if story["status"] != "developing":
                continue
            prev_day = DAYS.index(dt.date.fromisoformat(story["previous"][-1]["date"]))
            before = by_id[prev_day][story["id"]]
            update = _repeated([x["text"] for x in story["summary"]], [x["text"] for x in before["summary"]])
            plain = _repeated(generic(d, story), generic(prev_day, before))
            if update is not None and plain is not None:
                repeat[half]["update"].append(update)
                repeat[half]["generic"].append(plain)
    print(f"\n== {name}: {' / '.join(str(len(b['stories'])) for b in briefings)} stories on the three days")
    for half in halves:
        r = rows[half]
        share = r["kept"] / r["continuing"] if r["continuing"] else float("nan")
        reach = r["reachable kept"] / r["reachable"] if r["reachable"] else float("nan")
        up, gen = repeat[half]["update"], repeat[half]["generic"]
        mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
        print(
            f"  {half:9s} continuity: {r['kept']}/{r['continuing']} kept ({share:.1%}), {r['lost']} lost, "
            f"{r['false']} false continuations ({r['split']} more stories were a topic split in two by "
            f"clustering that day, the other part continuing it); reachable (>= 1 anchor term and cosine >= "
            f"{REACHABLE_COSINE} with an earlier story of its topic): {r['reachable kept']}/{r['reachable']} kept "
            f"({reach:.1%}); repetition of the previous summary's bigrams over "
            f"{len(up)} developing stories: update {mean(up):.1%} (max {max(up, default=0):.1%}), "
            f"today's method {mean(gen):.1%} (max {max(gen, default=0):.1%})"
        )
    print(f"  labels re-chosen: {len(relabelled)}" + "".join(f"\n    {x}" for x in relabelled[:10]))
    return {"rows": rows, "repeat": repeat}


def _rouge(days: dict[int, dict[str, list[Record]]], briefings: list[dict], work: Path) -> None:
    """ROUGE of DUC 2004 second halves: update vs generic, and the generic summary of all ten."""
    texts = _texts(work, days)
    folders = {k: work / "rouge" / k for k in ("update", "generic-half", "generic-all")}
    for f in folders.values():
        f.mkdir(parents=True, exist_ok=True)
    first = _main_stories(briefings[0])
    for d in (1, 2):
        for topic, story in _main_stories(briefings[d]).items():
            if topic not in days[d]:
                continue
            arts = _articles(story, texts)
            old = first[topic]
            told = Told(tuple(x["text"] for x in old["summary"]), _articles(old, texts))
            every = _articles(old, texts) + arts
            outputs = {
                "update": summarize_story(arts, words=WORDS, fill=True, told=told),
                "generic-half": summarize_story(arts, words=WORDS, fill=True),
                "generic-all": summarize_story(every, words=WORDS, fill=True),
            }
            for k, summary in outputs.items():
                (folders[k] / f"{topic}.txt").write_text("\n".join(s.text for s in summary) + "\n")
    script = SHARED / "eval" / "rouge_eval.py"
    for k, folder in folders.items():
        result = subprocess.run(
            [sys.executable, str(script), str(SHARED / "eval" / "duc2004"), str(folder)],
            capture_output=True,
            text=True,
        )
        print(f"  ROUGE {k:12s} {result.stdout.strip() or result.stderr.strip()[-300:]}")


def main() -> None:
    """Build the sets' days and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="duc2006,duc2004")
    parser.add_argument("--rouge", action="store_true", help="also ROUGE on DUC 2004 (needs rouge-score)")
    parser.add_argument("--keep", help="build in this folder (kept) instead of a temp one")
    parser.add_argument("--reuse", action="store_true", help="with --keep: score the days built there before")
    args = parser.parse_args()
    if not (SHARED / "eval").is_dir():
        sys.exit(f"no evaluation data at {SHARED}; set DIGEST_SHARED")
    loaders = {"duc2006": _duc2006, "duc2004": _duc2004}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        for name in args.sets.split(","):
            work = base / name
            work.mkdir(parents=True, exist_ok=True)
            days = loaders[name]()
            briefings = _build(days, work, args.reuse)
            _evaluate(name, days, briefings, work)
            if name == "duc2004" and args.rouge:
                _rouge(days, briefings, work)


if __name__ == "__main__":
    main()
