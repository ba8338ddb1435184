"""Scale benchmark: synthetic days of 1k / 10k / 100k articles built from DUC-2004 sentences.

    python benchmarks/bench_cluster.py [--sizes 1000,10000,100000] [--repeat 2] [--baseline-max 10000]

Synthetic day of n articles: about n/15 stories with heavy-tailed sizes (Zipf-like, 1 to ~n/100 articles).
Each synthetic story takes one DUC story as its base (story k uses base k mod 50), keeps a random half of the
base's sentences as its pool, and renames the base's 60 most distinctive words (names first) with invented words
of its own, so that stories sharing a base are distinct but related (the hard case: same topic, other event).
An article is 6-10 pool sentences; its title is its first sentence. Every size runs in a fresh subprocess;
peak memory is that subprocess's ru_maxrss, measured before and after clustering (the data alone is 'before').
The baseline is scikit-learn AgglomerativeClustering (average link, distance_threshold picked on the DUC tune half)
on the dense cosine-distance matrix of TfidfVectorizer(sublinear_tf, English stop words) features (computed with a
sparse product: passing metric="cosine" dense rows costs O(n^2 V)); run only where the n^2 matrix fits.
Run nothing else meanwhile: the machine has 2 cores and timings are noisy; each size is repeated, best kept.
Nothing generated here is written to disk."""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
SENT_RE = re.compile(r"(?<=[a-z0-9\"'`)])[.!?](?:''|\")?\s+(?=[A-Z`\"'(])")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]+")
SYL_C = "bcdfghjklmnprstvz"
SYL_V = "aeiou"


def _base_stories():
    sys.path.insert(0, HERE)
    from cluster_data import load_duc
    from sklearn.feature_extraction.text import TfidfVectorizer

    cl, ti, te, lab = load_duc()
    sents, keyw = [], []
    docs_by = [[] for _ in cl]
    for t, l in zip(te, lab):
        docs_by[l].append(" ".join(t.split()))
    joined = [" ".join(d) for d in docs_by]
    vec = TfidfVectorizer(stop_words="english", lowercase=True, token_pattern=r"[A-Za-z][A-Za-z'\-]+", sublinear_tf=True)
    X = vec.fit_transform(joined)
    voc = np.array(vec.get_feature_names_out())
    for k in range(len(cl)):
        ss = [s.strip() for d in docs_by[k] for s in SENT_RE.split(d) if len(s.split()) >= 6]
        sents.append(ss)
        row = X[k].toarray().ravel()
        keyw.append(set(voc[np.argsort(-row)[:60]].tolist()))
    return sents, keyw


def _pseudo(rng):
    n = int(rng.integers(2, 4))
    return "".join(SYL_C[rng.integers(len(SYL_C))] + SYL_V[rng.integers(len(SYL_V))] for _ in range(n)) + SYL_C[rng.integers(len(SYL_C))]


def make_day(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    sents, keyw = _base_stories()
    n_st = max(1, n // 15)
    # heavy-tailed sizes, capped at ~1% of the day (at least 20)
    w = 1.0 / np.arange(1, n_st + 1) ** 0.9
    w = w / w.sum()
    sizes = np.maximum(1, np.round(w * n)).astype(int)
    sizes = np.minimum(sizes, max(20, n // 100))
    while sizes.sum() < n:
        sizes[rng.integers(n_st)] += 1
    while sizes.sum() > n:
        j = rng.integers(n_st)
        if sizes[j] > 1:
            sizes[j] -= 1
    titles, texts, gold = [], [], []
    order = []
    for s in range(n_st):
        base = s % len(sents)
        pool_all = sents[base]
        pool_idx = rng.choice(len(pool_all), size=min(40, len(pool_all)), replace=False)  # ~40 sentences: outlets rewrite the same facts
        mapping = {k: _pseudo(rng) for k in sorted(keyw[base])}
        pat = re.compile(r"\b(" + "|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r")\b", re.I)

        def sub(m):
            new = mapping[m.group(1).lower()]
            return new.capitalize() if m.group(1)[0].isupper() else new

        pool = [pat.sub(sub, pool_all[i]) for i in pool_idx]
        for _ in range(sizes[s]):
            k = int(rng.integers(6, 11))
            pick = rng.choice(len(pool), size=min(k, len(pool)), replace=False)
            body = " ".join(pool[i] for i in pick)
            order.append((body, s))
    perm = rng.permutation(len(order))
    for p in perm:
        body, s = order[p]
        titles.append(SENT_RE.split(body, maxsplit=1)[0][:150])
        texts.append(body)
        gold.append(s)
    return titles, texts, np.asarray(gold)


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(n: int, which: str):
    sys.path.insert(0, HERE)
    from cluster_data import bcubed
    from sklearn.metrics import adjusted_rand_score

    titles, texts, gold = make_day(n)
    import digest.stories.features as cf  # imported after the data so that 'before' includes the libraries' import
    import digest.stories.graph as cc

    cf._stop(), cf.stem("warm")  # load stop words and the stemmer before measuring
    before = _rss_mib()
    out = {"n": n, "which": which, "stories": len(set(gold.tolist()))}
    if which == "core":
        t0 = time.perf_counter()
        c0 = time.process_time()
        X, _, _ = cf.vectorize(titles, texts)
        t1 = time.perf_counter()
        ei, ej, _ = cc.knn_graph(X)
        t2 = time.perf_counter()
        rep = cc._agglomerate(X, ei, ej)
        pred = np.asarray(cc._renumber(rep))
        t3 = time.perf_counter()
        out.update(t_vec=t1 - t0, t_graph=t2 - t1, t_agg=t3 - t2, t_total=t3 - t0, cpu_total=time.process_time() - c0,
                   edges=len(ei))
        # the public function must give the same answer
        if n <= 10000:
            assert cc.cluster_texts(titles, texts) == pred.tolist()
    else:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer

        thr = float(os.environ.get("BASELINE_THRESHOLD", "0.86"))
        t0 = time.perf_counter()
        c0 = time.process_time()
        X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)  # rows L2-normalised
        D = 1.0 - (X @ X.T).toarray()  # cosine distance, computed sparse (metric="cosine" on dense rows is O(n^2 V))
        np.clip(D, 0.0, 2.0, out=D)
        np.fill_diagonal(D, 0.0)
        pred = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                       distance_threshold=thr).fit_predict(D)
        out.update(t_total=time.perf_counter() - t0, cpu_total=time.process_time() - c0, threshold=thr)
    p, r, f = bcubed(pred, gold)
    out.update(P=p, R=r, F1=f, ARI=adjusted_rand_score(gold, pred), clusters=len(set(pred.tolist())),
               rss_before_mib=before, rss_peak_mib=_rss_mib())
    print(json.dumps(out))


def baseline_threshold():
    """Best distance threshold of the plain baseline on the DUC tune half (not on the synthetic data)."""
    sys.path.insert(0, HERE)
    from cluster_data import bcubed, load_duc, split_tune_heldout
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    cl, ti, te, lab = load_duc()
    tune, _ = split_tune_heldout(cl)
    idx = [i for i in range(len(te)) if lab[i] in set(tune)]
    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([te[i] for i in idx]).toarray()
    best = max((bcubed(AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                               distance_threshold=t).fit_predict(X), lab[idx])[2], t)
               for t in np.round(np.arange(0.60, 0.99, 0.01), 2))
    return best[1], best[0]


def main():
    args = sys.argv[1:]
    if args and args[0] == "--run":
        run_one(int(args[1]), args[2])
        return
    sizes = [1000, 10000, 100000]
    repeat, base_max = 2, 10000
    for i, a in enumerate(args):
        if a == "--sizes":
            sizes = [int(x) for x in args[i + 1].split(",")]
        if a == "--repeat":
            repeat = int(args[i + 1])
        if a == "--baseline-max":
            base_max = int(args[i + 1])
    thr, f = baseline_threshold()
    print("baseline distance threshold %.2f (B-cubed F1 %.3f on the DUC tune half)" % (thr, f), flush=True)
    env = dict(os.environ, BASELINE_THRESHOLD=str(thr))
    res = {}
    for which in ["core", "baseline"]:
        for n in sizes:
            if which == "baseline" and n > base_max:
                continue
            runs = []
            for r in range(repeat):
                p = subprocess.run([PY, __file__, "--run", str(n), which], capture_output=True, text=True, env=env)
                if p.returncode != 0:
                    print(which, n, "FAILED", p.stderr[-2000:], flush=True)
                    break
                runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[-1]), flush=True)
            if runs:
                res[(which, n)] = min(runs, key=lambda d: d["t_total"])
    print()
    print("| method | articles | stories | wall s (best of %d) | CPU s | vectorise / graph / agglomerate s | peak RSS MiB (data only) | B3 P | B3 R | B3 F1 | ARI | clusters |" % repeat)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (which, n), d in sorted(res.items()):
        split = "%.1f / %.1f / %.1f" % (d["t_vec"], d["t_graph"], d["t_agg"]) if which == "core" else "-"
        print("| %s | %d | %d | %.1f | %.1f | %s | %.0f (%.0f) | %.3f | %.3f | %.3f | %.3f | %d |" % (
            which, n, d["stories"], d["t_total"], d["cpu_total"], split, d["rss_peak_mib"], d["rss_before_mib"], d["P"], d["R"], d["F1"],
            d["ARI"], d["clusters"]))
    print()
    for which in ["core", "baseline"]:
        ns = [n for n in sizes if (which, n) in res]
        for a, b in zip(ns, ns[1:]):
            print("%s time ratio %d/%d = %.1fx wall, %.1fx CPU" % (which, b, a, res[(which, b)]["t_total"] / res[(which, a)]["t_total"],
                                                               res[(which, b)]["cpu_total"] / res[(which, a)]["cpu_total"]))


if __name__ == "__main__":
    main()
