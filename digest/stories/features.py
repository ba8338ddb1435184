"""Clustering features (pure): each article scanned once into stems and entities, encoded, vectorised.

Features: sublinear-tf x smoothed-idf over Snowball stems of non-stop words, title words counted twice,
capitalised-word bigrams ("volodymyr zelenskyy", "bank of|japan") as extra entity features, demonyms folded
into the country form when both occur in the day ("Russian" -> "russia"), datelines dropped, rows L2-normed.
Measurements behind every constant: benchmarks/eval_cluster.py (DUC 2004 as one day, tune/held-out split).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ..text import scan_tokens, stem, stop_words, strip_dateline
from ._words import _DEMONYM_RULES, _ENTITY_CONNECT, _NEWS_STOP

# ================================================================ tuned constants
# All tuned on the DUC-2004 tune half only (25 stories, 250 articles) and on days sampled from it
# (2-10, 20-100 articles) with benchmarks/eval_cluster.py; README, "How it works", has the figures.
# Title words count twice: titles name the event. 1, 2, 4 all within 0.01 F1; 2 best on mid days.
# Continuity's signatures count them the same (one constant for both).
TITLE_WEIGHT = 2
ENTITY_WEIGHT = 2.0  # capitalised bigram features, weight 2 vs 0/1/4: +0.01 F1 on the 250-article tune day.
SINGLETON_N0 = 80.0  # idf of terms seen in one article only is scaled by N0/(N0+n): such terms cannot link two
# articles but dilute the norm; in a big day they are noise (dropping them: +0.015 F1 at 250
# articles), in a tiny day almost every term is a singleton and dropping them inflates every
# similarity (tiny-day F1 0.97 -> 0.73). 80 was best of 5/20/80/1000.


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return stop_words("english") | _NEWS_STOP


def _words_and_entities_in(toks, stop, is_title: bool):
    """Content words as (lower, proper) and capitalised-word bigrams, from a scan_tokens of the text.

    proper: capitalised and not sentence-initial (body only; in titles case is style, not signal).
    Entity bigrams join adjacent capitalised non-stop words, optionally across one connector ("bank of japan")."""
    words = []
    ents = []
    prev = None
    conn = ""
    for _w, low, cap, sstart, _brk in toks:
        if low.endswith("'s") or low.endswith("\u2019s"):
            low = low[:-2]
        if low in stop or len(low) < 2:
            if prev is not None and low in _ENTITY_CONNECT and not cap and not conn:
                conn = low
            else:
                prev, conn = None, ""
            continue
        words.append((low, cap and not sstart and not is_title))
        if cap:
            if prev is not None:
                ents.append(prev + (" " + conn + " " if conn else " ") + low)
            prev, conn = low, ""
        else:
            prev, conn = None, ""
    return words, ents


def _demonym_fold(capset) -> dict:
    """Map demonyms to the country form when both are capitalised in the day ("russian" -> "russia")."""
    fold = {}
    for w in sorted(capset):
        for s, a in _DEMONYM_RULES:
            if w.endswith(s) and len(w) - len(s) >= 3:
                c = w[: len(w) - len(s)] + a
                if c != w and c in capset:
                    fold[w] = c
                    break
    return fold


class Encoded:
    """A day's articles as integer ids of their words and entity bigrams: tokenised once, then shared by
    clustering (the day's matrix) and headlines (each story's own matrix), which is what keeps both linear."""

    __slots__ = ("ents", "rows", "words")

    def __init__(self, words: list[str], ents: list[str], rows: Sequence[tuple[array, ...]]) -> None:
        self.words = words  # id -> lower-case word
        self.ents = ents  # id -> entity bigram
        self.rows = rows  # per article: body words, title words, body entities, title entities, body proper words


class _Encoder:
    """Builds an Encoded day one article at a time, from the article's token scans."""

    def __init__(self) -> None:
        self._stop = _stop()
        self._wid: dict[str, int] = {}
        self._eid: dict[str, int] = {}
        self._rows: list[tuple[array, ...]] = []

    def add(self, title_toks, body_toks) -> None:
        wid, eid = self._wid, self._eid
        tw, tents = _words_and_entities_in(title_toks, self._stop, True)
        bw, bents = _words_and_entities_in(body_toks, self._stop, False)
        bi = array("i", [wid.setdefault(w, len(wid)) for w, _ in bw])
        ti = array("i", [wid.setdefault(w, len(wid)) for w, _ in tw])
        cp = array("i", sorted({wid[w] for w, pr in bw if pr}))
        be = array("i", [eid.setdefault(e, len(eid)) for e in bents])
        te = array("i", [eid.setdefault(e, len(eid)) for e in tents])
        self._rows.append((bi, ti, be, te, cp))

    def encoded(self) -> Encoded:
        return Encoded(list(self._wid), list(self._eid), self._rows)


def _body_scans(text: str):
    """(scan of the whole text, scan of the text without its dateline): one scan when there is none."""
    text = text or ""
    rest = strip_dateline(text)
    whole = scan_tokens(text)
    return whole, (scan_tokens(rest) if rest is not text else whole)


def encode_texts(titles: Sequence[str], texts: Sequence[str]) -> Encoded:
    """Tokenise every article once into compact integer arrays (ids in first-seen order)."""
    if len(titles) != len(texts):
        raise ValueError("titles and texts differ in length")
    enc = _Encoder()
    for t, x in zip(titles, texts, strict=True):
        enc.add(scan_tokens(t or ""), _body_scans(x)[1])
    return enc.encoded()


def _local(enc: Encoded, members: Sequence[int]) -> Encoded:
    """The members' rows renumbered as if they had been encoded alone (same first-seen order)."""
    wl: dict[int, int] = {}
    el: dict[int, int] = {}
    rows = []
    for i in members:
        bi, ti, be, te, cp = enc.rows[i]
        nbi = array("i", [wl.setdefault(w, len(wl)) for w in bi])
        nti = array("i", [wl.setdefault(w, len(wl)) for w in ti])
        nbe = array("i", [el.setdefault(e, len(el)) for e in be])
        nte = array("i", [el.setdefault(e, len(el)) for e in te])
        rows.append((nbi, nti, nbe, nte, array("i", [wl[w] for w in cp])))
    return Encoded([enc.words[w] for w in wl], [enc.ents[e] for e in el], rows)


def vectorize(titles: Sequence[str], texts: Sequence[str], chunk: int = 8192):
    """(X, vocab, df): X is CSR float32 (n x V), rows L2-normalised sublinear-tf x idf; vocab lists the features."""
    return vectorize_encoded(encode_texts(titles, texts), chunk)


def vectorize_encoded(enc: Encoded, chunk: int = 8192):
    """vectorize over encoded articles: day-level facts first (capitalised words for demonym folding, entity
    bigrams seen in bodies), then ids mapped to features and the matrix built chunk by chunk."""
    n = len(enc.rows)
    capset: set = set()
    body_e: set = set()
    for _bi, ti, be, _te, cp in enc.rows:
        capset.update(cp)
        capset.update(ti)
        body_e.update(be)
    fold = _demonym_fold({enc.words[w] for w in capset})
    vocab: dict[str, int] = {}
    w2t = np.empty(max(1, len(enc.words)), np.int64)
    for i, w in enumerate(enc.words):
        w2t[i] = vocab.setdefault(stem(fold.get(w, w)), len(vocab))
    # a title bigram counts only if some body has it as an entity: title-case headlines capitalise every word
    e2t = np.full(max(1, len(enc.ents)), -1, np.int64)
    for i, e in enumerate(enc.ents):
        if i in body_e:
            e2t[i] = vocab.setdefault("e:" + " ".join(fold.get(x, x) for x in e.split()), len(vocab))
    V = len(vocab)
    parts = []
    for s in range(0, n, chunk):
        rows, cols, wts = [], [], []
        for r, (bi, ti, be, te, _cp) in enumerate(enc.rows[s : s + chunk]):
            for arr, m, weight in (
                (bi, w2t, 1.0),
                (ti, w2t, TITLE_WEIGHT),
                (be, e2t, ENTITY_WEIGHT),
                (te, e2t, ENTITY_WEIGHT * TITLE_WEIGHT),
            ):
                if len(arr):
                    ids = m[np.frombuffer(arr, np.int32)]
                    ids = ids[ids >= 0]
                    cols.append(ids)
                    rows.append(np.full(len(ids), r, np.int32))
                    wts.append(np.full(len(ids), weight, np.float32))
        k = min(chunk, n - s)
        if cols:
            C = sp.coo_matrix((np.concatenate(wts), (np.concatenate(rows), np.concatenate(cols))), shape=(k, V)).tocsr()
        else:
            C = sp.csr_matrix((k, V), dtype=np.float32)
        C.sum_duplicates()
        C.data = np.where(C.data >= 1.0, 1.0 + np.log(np.maximum(C.data, 1.0)), C.data).astype(np.float32)
        parts.append(C)
    X = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, V), dtype=np.float32)
    X = X.astype(np.float32)
    X.sort_indices()
    df = np.bincount(X.indices, minlength=V).astype(np.float64)
    idf = np.log((n + 1.0) / (df + 1.0)) + 1.0
    idf[df <= 1] *= SINGLETON_N0 / (SINGLETON_N0 + n)
    X.data *= idf[X.indices].astype(np.float32)
    _l2_inplace(X)
    inv = [""] * V
    for t, j in vocab.items():
        inv[j] = t
    return X, inv, df


def _l2_inplace(X):
    lens = np.diff(X.indptr)
    sq = np.zeros(X.shape[0])
    filled = lens > 0
    if X.nnz:
        # reduceat only at the starts of non-empty rows: an empty last row would index past the data
        sq[filled] = np.add.reduceat(np.square(X.data, dtype=np.float64), X.indptr[:-1][filled])
    nr = np.sqrt(sq)
    nr[nr == 0] = 1.0
    X.data /= np.repeat(nr, lens).astype(X.data.dtype)
