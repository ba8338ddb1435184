"""LexRank with the exact semantics of sumy's ``LexRankSummarizer`` (sumy 0.13), on sparse matrices.

sumy builds the similarity matrix with a Python double loop over sentence pairs (about a second
for a 250-sentence story); this computes the same quantities with scipy.sparse and ranks the
same sentences the same way (tests/test_summarize.py checks it against sumy on the project's
sample stories; benchmarks/bench_summarize.py runs sumy's LexRank beside it on DUC 2004):

* words lower-cased, stop words removed, the rest stemmed; repeats kept;
* tf(t, s) = count / max count in s; idf(t) = ln(N / (1 + n_t)) (may be 0 or negative; squared);
* idf-modified cosine, a sentence's similarity to itself included; an edge where it is > 0.1;
  rows divided by their degree (0 -> 1);
* power method from 1/N with L2 normalisation, stopped when a step moves <= 0.1 (sumy's loose
  epsilon: the scores are wherever the iteration stops, so the same rule gives the same ranking).

Only floating-point summation order differs (scores agree to ~1e-15 relative). Additions: an
iteration cap (sumy's loop can spin forever) and all-empty input -> zeros (sumy: NaN warnings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
from scipy import sparse

__all__ = ["rank_lexrank", "top_sentences"]

THRESHOLD = 0.1  # sumy's LexRankSummarizer.threshold: similarity above which two sentences link
EPSILON = 0.1  # sumy's LexRankSummarizer.epsilon: the power method's stopping step
MAX_ITERATIONS = 10_000  # a guard sumy lacks; never reached on DUC 2004 (a handful of steps)


def rank_lexrank(
    sentences_words: Sequence[Sequence[str]],
    *,
    stem: Callable[[str], str] | None = None,
    stop_words: Collection[str] = (),
    threshold: float = THRESHOLD,
    epsilon: float = EPSILON,
    max_iterations: int = MAX_ITERATIONS,
) -> list[float]:
    """The LexRank score of every sentence (sumy's numbers up to float summation order)."""
    n = len(sentences_words)
    if n == 0:
        return []
    stop = frozenset(w.lower() for w in stop_words)
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, words in enumerate(sentences_words):
        counts: dict[int, int] = {}
        for word in words:
            w = word.lower()
            if w in stop:
                continue
            if stem is not None:
                w = stem(w)  # text.stemmer's: it keeps the one stem cache
            t = vocab.setdefault(w, len(vocab))
            counts[t] = counts.get(t, 0) + 1
        if counts:
            top = max(counts.values())
            for t, c in counts.items():
                rows.append(i)
                cols.append(t)
                vals.append(c / top)
    if not vocab:
        return [0.0] * n  # no content words anywhere: every sentence equally (un)central
    tf = sparse.csr_matrix((np.array(vals, dtype=float), (rows, cols)), shape=(n, len(vocab)))
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab)).astype(float)
    idf = np.log(n / (1.0 + df))
    x = sparse.csr_matrix(tf.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    dots = (x @ x.T).tocoo()
    ok = (norms[dots.row] > 0) & (norms[dots.col] > 0)
    cos = np.zeros(dots.data.shape)
    cos[ok] = dots.data[ok] / (norms[dots.row[ok]] * norms[dots.col[ok]])
    keep = cos > threshold
    adj = sparse.csr_matrix((np.ones(int(keep.sum())), (dots.row[keep], dots.col[keep])), shape=(n, n))
    degrees = np.asarray(adj.sum(axis=1)).ravel()
    degrees[degrees == 0] = 1.0
    m_t = sparse.csr_matrix(adj.multiply((1.0 / degrees)[:, None])).T.tocsr()
    p = np.full(n, 1.0 / n)
    for _ in range(max_iterations):
        nxt = m_t @ p
        norm = float(np.linalg.norm(nxt))
        if norm == 0.0:  # no sentence links to any (all similarities 0): nothing stands out
            return [0.0] * n
        nxt /= norm
        step = float(np.linalg.norm(nxt - p))
        p = nxt
        if not step > epsilon:
            break
    return [float(v) for v in p]


def top_sentences(scores: Sequence[float]) -> list[int]:
    """Sentence indices best-scored first; equal scores keep document order (sumy's stable sort)."""
    return sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
