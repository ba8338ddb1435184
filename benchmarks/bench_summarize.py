"""Summary quality and whole-process speed on DUC 2004, side by side with sumy used plainly.

    python benchmarks/bench_summarize.py [--methods default,lexrank] [--rounds 3] [--words 100]

Each method runs as a fresh process, exactly as a user would run it:
`digest summarize --batch ../shared/eval/duc2004/docs --out DIR --words 100 --method M`, and in
the same invocation `python ../shared/eval/baselines/sumy_baseline.py lexrank ../shared/eval/duc2004
DIR` (the reference: 12 sentences per story, cut at 100 words by the scorer). Every folder is
scored with ../shared/eval/rouge_eval.py's own `score` (recall, first 100 words), on the tuning
half (clusters at even positions of the name-sorted list), the held-out half (odd positions)
and all 50. Times are wall-clock and CPU (user+sys) seconds of the whole process; with
--rounds N our runs repeat N times and the median is reported, then every round and the worst
(the machine is shared). The speed ratio is the sumy baseline's time over ours. Methods: default,
lexrank and the sumy ones (sumy-lexrank, textrank, lsa, luhn, edmundson, kl, sumbasic,
reduction; these take minutes).

Needs ../shared (or $DIGEST_SHARED) and `pip install rouge-score`; without them it says so and
exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
DUC = SHARED / "eval" / "duc2004"
BASELINE = SHARED / "eval" / "baselines" / "sumy_baseline.py"
SCORER = SHARED / "eval" / "rouge_eval.py"


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load_scorer():
    """rouge_eval.py as a module (its load_refs and score)."""
    spec = importlib.util.spec_from_file_location("rouge_eval", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scores(scorer, refs: dict, folder: Path, words: int) -> list[tuple[float, float]]:
    """(R-1, R-2) recall on the tuning half, the held-out half and all stories."""
    summaries = {f.stem: f.read_text(encoding="utf-8", errors="replace") for f in folder.glob("*.txt")}
    names = sorted(refs)
    out = []
    for part in (names[0::2], names[1::2], names):
        result = scorer.score({c: refs[c] for c in part}, summaries, words)
        out.append((result["rouge1"]["recall"], result["rouge2"]["recall"]))
    return out


def main() -> int:
    """Run, score and time every method; print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", default="default,lexrank", help="comma-separated digest methods")
    ap.add_argument("--rounds", type=int, default=3, help="timed runs of each digest method (median)")
    ap.add_argument("--words", type=int, default=100)
    a = ap.parse_args()
    if not (DUC / "docs").is_dir() or not BASELINE.is_file():
        print(f"skipped: needs the shared evaluation data at {SHARED} (set DIGEST_SHARED)")
        return 0
    if importlib.util.find_spec("rouge_score") is None:
        print("skipped: needs rouge-score (pip install rouge-score)")
        return 0
    scorer = load_scorer()
    refs = scorer.load_refs(DUC)
    tmp = Path(tempfile.mkdtemp(prefix="bench_summarize_"))
    rows = []
    worst: list[tuple[str, float, list[float]]] = []
    out = tmp / "sumy_baseline_lexrank"
    wall, cpu = timed([sys.executable, str(BASELINE), "lexrank", str(DUC), str(out)])
    rows.append(("sumy_baseline.py lexrank", scores(scorer, refs, out, a.words), wall, cpu))
    base_wall, base_cpu = wall, cpu
    for method in a.methods.split(","):
        out = tmp / method
        cmd = [sys.executable, "-m", "digest", "summarize", "--batch", str(DUC / "docs"), "--out", str(out)]
        cmd += ["--words", str(a.words), "--method", method]
        runs = [timed(cmd) for _ in range(a.rounds)]
        wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        rows.append((f"digest --method {method}", scores(scorer, refs, out, a.words), wall, cpu))
        worst.append((method, max(r[0] for r in runs), [r[0] for r in runs]))
    print(f"DUC 2004, {len(refs)} stories, recall at {a.words} words; tune = even positions, held-out = odd")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"{'':28s} {'R-1 tune':>8s} {'held':>6s} {'all':>6s}  {'R-2 tune':>8s} {'held':>6s} {'all':>6s}"
        f"  {'wall s':>7s} {'CPU s':>7s}  {'speed-up wall / CPU':>19s}"
    )
    for name, sc, wall, cpu in rows:
        (t1, t2), (h1, h2), (l1, l2) = sc
        print(
            f"{name:28s} {t1:8.2f} {h1:6.2f} {l1:6.2f}  {t2:8.2f} {h2:6.2f} {l2:6.2f}  {wall:7.2f} {cpu:7.2f}"
            f"  {base_wall / wall:8.1f}x / {base_cpu / cpu:5.1f}x"
        )
    for method, slowest, walls in worst:
        print(
            f"digest --method {method}: {len(walls)} rounds, wall {', '.join(f'{w:.2f}' for w in walls)} s;"
            f" worst {slowest:.2f} s = {base_wall / slowest:.1f}x"
        )
    print(f"summaries in {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
