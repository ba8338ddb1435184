"""Evaluate digest.stories (clustering) on DUC-2004 (B-cubed P/R/F1, ARI, clusters found) for tune / held-out / all.

    python benchmarks/eval_cluster.py [--no-titles]

Each part is clustered as ONE day (the tune part alone, the held-out part alone, all 500 together).
DUC has no headlines: the title passed is the lead sentence (or '' with --no-titles)."""
import sys
import time

from cluster_data import fmt, load_duc, scores, split_tune_heldout

import digest.stories.graph as cc


def main():
    cl, ti, te, lab = load_duc()
    if "--no-titles" in sys.argv:
        ti = [""] * len(te)
    tune, held = split_tune_heldout(cl)
    out = {}
    for name, part in [("tune", tune), ("held-out", held), ("all", list(range(len(cl))))]:
        idx = [i for i in range(len(te)) if lab[i] in set(part)]
        t0 = time.perf_counter()
        pred = cc.cluster_texts([ti[i] for i in idx], [te[i] for i in idx])
        dt = time.perf_counter() - t0
        s = scores(pred, lab[idx])
        out[name] = s
        print("%-9s n=%3d  %s  (%.2fs)" % (name, len(idx), fmt(s), dt))
    return out


if __name__ == "__main__":
    main()
