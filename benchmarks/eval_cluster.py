"""Evaluate digest.stories on DUC 2004 and DUC 2006 (B-cubed P/R/F1, ARI, clusters) and DUC 2006's labels.

    python benchmarks/eval_cluster.py [--build] [--labels N] [--parts tune,held-out,all] [--sets duc2004,duc2006]

Each part is clustered as ONE day: the tune half alone (topics at even positions of the sorted topic list, the only
part any constant was chosen on), the held-out half alone (odd positions), and the whole set. In process, through
digest.stories.StoryDay (titles, texts and, for DUC 2006, the publication times of docs.tsv, as the product passes
them). With --build, also through the product path: each part is written as JSONL records to a temporary folder
(title, text, outlet, published; never into the repo) and built with `digest build --input DIR --date D` under a
throwaway store config, and scored from briefing.json, every article accounted for (an article's `duplicates`
count as members of its story).

DUC 2004 has no headlines: the title is the lead sentence. DUC 2006 files open with the headline line.

Labels (DUC 2006, whole set as one day): a topic's story label is the label of the largest predicted cluster made
mostly (> half) of that topic's articles, else the label of the topic's articles as one story of that day; it
"overlaps" the human title of topics.tsv when they share a content word (stemmed, stop words dropped). --labels N
prints the first N topics' labels beside their titles."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from cluster_data import fmt, load_duc, load_duc2006, scores, split_tune_heldout

import digest.stories as cc
from digest.ingest.common import make_article
from digest.text import stem, stop_words

DAY = date(2026, 11, 24)


def load_set(name: str):
    """(topics, titles, texts, labels, times or None, outlets, human titles or None)."""
    if name == "duc2004":
        cl, ti, te, lab = load_duc()
        return cl, ti, te, lab, None, ["DUC 2004"] * len(te), None
    return load_duc2006()


def _articles(idx, titles, texts, times, outlets, name):
    out = []
    for k in idx:
        published = None if times is None or times[k] is None else datetime.fromtimestamp(times[k], UTC)
        # Cleaned as every reader's articles are (wire codes out, missing titles from the lead).
        article = make_article(
            title=titles[k],
            text=texts[k],
            url=f"https://{name}.invalid/{k:05d}",
            outlet=outlets[k],
            published=published,
            source=name,
        )
        out.append(dataclasses.replace(article, id=f"{name}-{k:05d}"))
    return out


def cluster_in_process(idx, titles, texts, times, outlets, name):
    """(predicted story per article, StoryDay, stories as lists of positions)."""
    arts = _articles(idx, titles, texts, times, outlets, name)
    day = cc.StoryDay(arts)
    groups = day.groups()
    pos = {a.id: n for n, a in enumerate(arts)}
    pred = np.zeros(len(arts), int)
    for c, g in enumerate(groups):
        for a in g:
            pred[pos[a.id]] = c
    return pred, day, groups


def _digest_command() -> list[str]:
    script = Path(sys.executable).parent / "digest"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "digest"]


def cluster_by_build(idx, titles, texts, times, outlets, name):
    """Predicted story per article from `digest build` on the part, or None and the reason."""
    with tempfile.TemporaryDirectory(prefix="digest-eval-") as tmp:
        folder = Path(tmp)
        inputs = folder / "in"
        inputs.mkdir()
        with (inputs / "day.jsonl").open("w", encoding="utf-8") as fh:
            for k in idx:
                record = {"title": titles[k], "text": texts[k], "url": f"https://{name}.invalid/{k:05d}"}
                record["outlet"] = outlets[k]
                if times is not None and times[k] is not None:
                    record["published"] = datetime.fromtimestamp(times[k], UTC).isoformat()
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        config = folder / "digest.toml"
        store = f"sqlite:///{(folder / 'digest.db').resolve()}"
        config.write_text(f'[store]\nurl = {json.dumps(store)}\n\n[briefing]\ntimezone = "UTC"\ntime = "06:30"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
        cmd = [*_digest_command(), "--config", str(config), "-q", "build", "--input", str(inputs)]
        cmd += ["--date", DAY.isoformat(), "--out", str(folder / "out")]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        briefing = folder / "out" / DAY.isoformat() / "briefing.json"
        if not briefing.is_file():
            return None, f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        data = json.loads(briefing.read_text(encoding="utf-8"))
    where = {f"https://{name}.invalid/{k:05d}": n for n, k in enumerate(idx)}
    pred = np.full(len(idx), -1)
    for c, story in enumerate(data.get("stories") or []):
        for article in story.get("articles") or []:
            for item in [article, *(article.get("duplicates") or [])]:
                url = item.get("url") if isinstance(item, dict) else item
                if url in where:
                    pred[where[url]] = c
    missing = int((pred < 0).sum())
    return pred, f"{len(idx) - missing}/{len(idx)} articles accounted for"


def content_stems(text: str) -> set[str]:
    stop = stop_words("english")
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return {stem(w) for w in words if w not in stop and len(w) > 1}


def topic_labels(gold, pred, day, groups, part):
    """Per topic of the part: its story label (see the module docstring)."""
    out = []
    arts = day.articles
    for t in part:
        members = np.flatnonzero(gold == t)
        best = None
        for c, g in enumerate(groups):
            share = Counter(gold[pred == c].tolist())
            if share.get(t, 0) * 2 > len(g) and (best is None or len(g) > len(groups[best])):
                best = c
        story = groups[best] if best is not None else [arts[k] for k in members]
        out.append(day.label(story))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="also score each part through `digest build`")
    parser.add_argument("--labels", type=int, default=0, help="print this many DUC 2006 labels with human titles")
    parser.add_argument("--parts", default="tune,held-out,all")
    parser.add_argument("--sets", default="duc2004,duc2006")
    args = parser.parse_args()
    for name in args.sets.split(","):
        topics, titles, texts, gold, times, outlets, human = load_set(name)
        tune, held = split_tune_heldout(topics)
        chosen = {"tune": tune, "held-out": held, "all": list(range(len(topics)))}
        for part in args.parts.split(","):
            keep = set(chosen[part])
            idx = [k for k in range(len(texts)) if gold[k] in keep]
            g = gold[idx]
            t0 = time.perf_counter()
            pred, day, groups = cluster_in_process(idx, titles, texts, times, outlets, name)
            dt = time.perf_counter() - t0
            print(f"{name} {part:8s} n={len(idx):4d} in-process  {fmt(scores(pred, g))}  ({dt:.1f} s)", flush=True)
            if args.build:
                t0 = time.perf_counter()
                bpred, note = cluster_by_build(idx, titles, texts, times, outlets, name)
                dt = time.perf_counter() - t0
                if bpred is None:
                    print(f"{name} {part:8s} digest build failed: {note}")
                else:
                    print(
                        f"{name} {part:8s} n={len(idx):4d} digest build {fmt(scores(bpred, g))}  ({note}, {dt:.1f} s)"
                    )
            if human:
                ts = sorted(keep)
                labels = topic_labels(g, pred, day, groups, ts)
                hits = [bool(content_stems(lab) & content_stems(human[t])) for t, lab in zip(ts, labels, strict=True)]
                empty = sum(1 for lab in labels if not lab.strip())
                print(
                    f"{name} {part:8s} labels: {sum(hits)}/{len(hits)} topics' story labels share a content word"
                    f" with the human title ({sum(hits) / len(hits):.2f}); {empty} empty"
                )
                for n, t in enumerate(ts[: args.labels]):
                    print(f"  {topics[t]}  {'+' if hits[n] else '-'}  {labels[n]!r:32s}  {human[t]}")


if __name__ == "__main__":
    main()
