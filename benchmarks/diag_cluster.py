"""Where the B-cubed loss of digest.stories.day goes on DUC 2004 (post-hoc; measurement only, folder names only).

    python benchmarks/diag_cluster.py [tune|held-out|all] [--oracle]      (default: tune)

Clusters the part as one day, then prints:
- the ceiling: the gold with byte-identical texts forced into one cluster (a text-only method cannot separate them);
- each predicted cluster that mixes gold stories, with the precision it costs (B-cubed P lost, in points of 1.0);
- each gold story split over several clusters, with the recall it costs.
Per cluster c: P lost = (|c| - sum_g n_cg^2 / |c|) / N; per story g: R lost = (|g| - sum_c n_cg^2 / |g|) / N; the
listed losses add up to 1 - P and 1 - R exactly.

With --oracle it also re-clusters the part over a grid of both merge thresholds (T_BIG 0.14-0.40, T_SMALL
0.06-0.20) and prints the best few by F1: the most any threshold choice could give on that very part, i.e. how
much of the gap threshold tuning could ever close (chosen on the answer, so a bound, never a setting to adopt)."""

import hashlib
import sys
from collections import Counter, defaultdict

import numpy as np
from cluster_data import fmt, load_duc, require_shared, scores, split_tune_heldout

import digest.stories.features as cf
import digest.stories.graph as cc


def main(which: str = "tune") -> None:
    require_shared()
    cl, ti, te, lab = load_duc()
    tune, held = split_tune_heldout(cl)
    part = {"tune": tune, "held-out": held, "all": list(range(len(cl)))}[which]
    idx = np.array([i for i in range(len(te)) if lab[i] in set(part)])
    gold = lab[idx]
    n = len(idx)
    digests = [hashlib.sha256(te[i].encode()).hexdigest() for i in idx]
    shared = defaultdict(set)
    for d, g in zip(digests, gold, strict=True):
        shared[d].add(cl[g])
    pairs = sorted({tuple(sorted(v)) for v in shared.values() if len(v) > 1})
    ceiling = gold.copy()
    first: dict[str, int] = {}
    for k, d in enumerate(digests):
        ceiling[k] = ceiling[first.setdefault(d, k)]
    print(f"{which}: {n} articles, {len(set(gold.tolist()))} stories")
    print("stories sharing byte-identical articles:", ", ".join("+".join(p) for p in pairs) or "none")
    print("ceiling  ", fmt(scores(ceiling, gold)))
    pred = np.asarray(cc.cluster_texts([ti[i] for i in idx], [te[i] for i in idx]))
    print("digest   ", fmt(scores(pred, gold)))
    rows = []
    for c in sorted(set(pred.tolist())):
        cnt = Counter(cl[g] for g in gold[pred == c])
        if len(cnt) > 1:
            size = sum(cnt.values())
            lost = (size - sum(v * v for v in cnt.values()) / size) / n
            tag = " (shares identical articles)" if any(set(p) <= set(cnt) for p in pairs) else ""
            rows.append((lost, f"MERGED {dict(sorted(cnt.items()))}{tag}"))
    for lost, text in sorted(rows, reverse=True):
        print(f"  P -{lost:.3f}  {text}")
    rows = []
    for g in sorted(set(gold.tolist())):
        cnt = Counter(pred[gold == g].tolist())
        if len(cnt) > 1:
            size = sum(cnt.values())
            lost = (size - sum(v * v for v in cnt.values()) / size) / n
            rows.append((lost, f"SPLIT  {cl[g]} {sorted(cnt.values(), reverse=True)}"))
    for lost, text in sorted(rows, reverse=True):
        print(f"  R -{lost:.3f}  {text}")
    if "--oracle" in sys.argv:
        oracle([ti[i] for i in idx], [te[i] for i in idx], gold)


def oracle(titles: list[str], texts: list[str], gold: np.ndarray) -> None:
    """Best F1 over a grid of the two merge thresholds, picked on the gold itself (an upper bound)."""
    X, _, _ = cf.vectorize(titles, texts)
    ei, ej, _ = cc.knn_graph(X)
    found = []
    for t_big in np.arange(0.14, 0.401, 0.02):
        for t_small in np.arange(0.06, min(t_big, 0.20) + 0.001, 0.02):
            pred = np.asarray(cc._renumber(cc._agglomerate(X, ei, ej, t_big=t_big, t_small=t_small)))
            found.append((scores(pred, gold)["F1"], t_big, t_small, pred))
    found.sort(key=lambda r: -r[0])
    print(f"threshold oracle (best of {len(found)} settings, chosen on this part's gold):")
    for _f1, t_big, t_small, pred in found[:3]:
        print(f"  T_BIG {t_big:.2f} T_SMALL {t_small:.2f}  {fmt(scores(pred, gold))}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0] if args else "tune")
