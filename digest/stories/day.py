"""Articles to stories: grouping, a label and a headline for each (pure).

Pure and deterministic: no clock, no I/O, no randomness, no threads; the same input gives the same output.
Dependencies: numpy and scipy.sparse; stems and stop words come from digest.text.
Measurements behind every constant: benchmarks/eval_cluster.py (DUC 2004 as one day, tune/held-out split) and
benchmarks/bench_cluster.py (1k/10k/100k synthetic days).

Package API: cluster_articles, label_story, pick_headline, story_id (over Article records), built on
    cluster_texts(titles, texts, *, times=None) -> list[int]    story id per article, numbered by first appearance
    label_cluster(titles, texts, other_titles=(), other_texts=()) -> str   short topic phrase ("Hurricane Mitch")
    pick_headline(titles, texts) -> int                            index of the most central article

Method
    1. Features: sublinear-tf x smoothed-idf over Snowball stems of non-stop words, title words counted twice,
       capitalised-word bigrams ("volodymyr zelenskyy", "bank of|japan") as extra entity features, demonyms folded
       into the country form when both occur in the day ("Russian" -> "russia"), datelines dropped, rows L2-normed.
    2. Candidate graph, near-linear: a pair is a candidate when one article's M_BLOCK heaviest terms occur in the
       other (inverted index; terms in more than POSTING_CAP articles are not used); each article gets exact cosines
       for its MAX_CANDIDATES candidates sharing most such terms and keeps its K_NEIGHBOURS best
       with cosine >= EDGE_MIN.
    3. Average-link agglomeration restricted to that graph, exact: the average similarity of clusters A and B is
       sum(A).sum(B) / (|A||B|), computed from cluster sum vectors. Reciprocal-best pairs are merged in rounds
       (average link is reducible, so this is the greedy order). A merge needs average >= T_SMALL when the smaller
       side has <= SMALL_SIZE articles (attaching strays, forming pairs) and >= T_BIG between two established clusters.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ..models import Article
from ..text import stem, stop_words

# ================================================================ tuned constants
# All tuned on the DUC-2004 tune half only (25 stories, 250 articles) and on days sampled from it
# (2-10, 20-100 articles); see RESULTS.md for the grids.
TITLE_WEIGHT = 2.0  # title words count twice: titles name the event. 1, 2, 4 all within 0.01 F1; 2 best on mid days.
ENTITY_WEIGHT = 2.0  # capitalised bigram features, weight 2 vs 0/1/4: +0.01 F1 on the 250-article tune day.
SINGLETON_N0 = 80.0  # idf of terms seen in one article only is scaled by N0/(N0+n): such terms cannot link two
# articles but dilute the norm; in a big day they are noise (dropping them: +0.015 F1 at 250
# articles), in a tiny day almost every term is a singleton and dropping them inflates every
# similarity (tiny-day F1 0.97 -> 0.73). 80 was best of 5/20/80/1000.
T_BIG = 0.20  # average-link threshold between two clusters of > SMALL_SIZE articles. Plateau 0.19-0.23.
T_SMALL = 0.12  # threshold when the smaller side has <= SMALL_SIZE articles. 0.10 is best on the 250-article
# day but leaves a 0.008 margin on the seed (unrelated pair at 0.092); 0.12 costs <= 0.01 F1.
SMALL_SIZE = 3  # "small" = up to 3 articles: 1, 2, 3 tried; 3 best (strays and pairs attach more easily).
# ================================================================ graph constants (speed, not quality)
M_BLOCK = 12  # heaviest terms per article used for candidate generation
POSTING_CAP = 400  # a posted term shared by more articles than this is not used for blocking
MAX_CANDIDATES = 48  # exact cosines per article (best by number of shared posted terms)
K_NEIGHBOURS = 12  # edges kept per article
EDGE_MIN = 0.05  # edges below this cannot matter: T_SMALL/T_BIG are >= 0.12 and averages mix in non-edges
TIME_GAP = 72 * 3600.0  # with times: no edge between articles more than 72 h apart (guard only, not tuned: no data)

# ================================================================ text analysis
# News boilerplate frequent in every story; sumy's stop list lacks these. Weekdays and months are dropped because a
# day's articles all share them.
_NEWS_STOP = frozenset(
    [
        "told",
        "tell",
        "telling",
        "reporter",
        "reporters",
        "report",
        "reported",
        "reports",
        "according",
        "statement",
        "statements",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "week",
        "weeks",
        "weekend",
        "month",
        "months",
        "year",
        "years",
        "day",
        "days",
        "time",
        "times",
        "ago",
        "earlier",
        "later",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mr",
        "mrs",
        "ms",
        "dr",
        "ap",
        "afp",
        "reuters",
        "upi",
        "nyt",
        "news",
        "agency",
        "press",
        "associated",
        "percent",
    ]
)
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019.\-]*[A-Za-z]|[A-Za-z]")
_SENT_END_RE = re.compile(r"[.!?:;\"'`]\s*$")
_BREAK_RE = re.compile(r"[,;:()\[\]\"]|``|''")  # punctuation that ends a name run
# The gap before each token, then the token (_TOKEN_RE's pattern): gaps hold no letters.
_GAP_TOKEN_RE = re.compile(r"([^A-Za-z]*)([A-Za-z][A-Za-z'\u2019.\-]*[A-Za-z]|[A-Za-z])")
# Datelines ("MUNICH, Germany (AP) _ ", "ISLAMABAD: ") name where the reporter sits, not the story: on the seed
# two unrelated stories share "ISLAMABAD:".
_DATELINE_RE = re.compile(
    r"^\s*[A-Z][A-Z .'\-]{2,}(?:,\s*[A-Z][A-Za-z .'\-]+)?\s*(?:\([A-Za-z]+\))?\s*(?:_|--|\u2014|\u2013|:|-)\s+"
)
# Demonym folding, (strip, add): "russian" -> "russia", "israeli" -> "israel", "ukrainian" -> "ukraine",
# "chinese" -> "china", "turkish" -> "turkey"; applied only when the target is itself capitalised in the day.
_DEMONYM_RULES = (
    ("n", ""),
    ("i", ""),
    ("ian", "e"),
    ("ian", ""),
    ("ian", "ia"),
    ("ese", "a"),
    ("ese", ""),
    ("ish", "ey"),
    ("ish", ""),
    ("an", "o"),
    ("s", ""),
)
# Honorifics and ranks: abbreviations that never end a sentence ("Sen. Lott") and role words that
# are trimmed from the front of a name ("Gen. Pinochet" -> "Pinochet").
_HONORIFICS = frozenset(["mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt"])
# Abbreviations after which a full stop does not end the sentence ("St. Petersburg", "Sen. Lott").
_ABBREV = _HONORIFICS | frozenset(["st", "jr", "sr", "vs", "mt", "ft", "corp", "inc", "co", "ltd", "no"])
_ENTITY_CONNECT = frozenset({"of", "de", "al", "la", "van", "von", "bin", "el", "du", "da"})


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return stop_words("english") | _NEWS_STOP


def _scan(text: str) -> list[tuple[str, str, bool, bool, bool]]:
    """(surface, lower, capitalised, sentence_start, punctuation_before) per word token.

    A token starts and ends with a letter (_TOKEN_RE), so it never carries a trailing full stop, and
    every letter starts one, so what lies between two tokens has no letters: one findall gives each
    token with the gap before it. A sentence starts at the text's start, after a blank line, or after
    sentence-end punctuation that is not the full stop of an abbreviation ("Sen. Lott").
    punctuation_before tells a name run to stop ("Paris, France"). Most gaps are one space, which
    decides nothing: that case is cut short.
    """
    out: list[tuple[str, str, bool, bool, bool]] = []
    prev_low = ""
    first = True
    sent_end = _SENT_END_RE.search
    brk = _BREAK_RE.search
    append = out.append
    for gap, w in _GAP_TOKEN_RE.findall(text):
        low = w.lower()
        if first:
            append((w, low, w[0].isupper(), True, bool(brk(gap))))
        elif gap == " ":
            append((w, low, w[0].isupper(), False, False))
        else:
            ss = "\n\n" in gap or (bool(sent_end(gap)) and not (gap.lstrip().startswith(".") and prev_low in _ABBREV))
            append((w, low, w[0].isupper(), ss, bool(brk(gap))))
        first = False
        prev_low = low
    return out


def _tokens(text: str):
    """Yield (surface, lower, capitalised, sentence_start) per word token."""
    for w, low, cap, ss, _brk in _scan(text):
        yield w, low, cap, ss


def _words_and_entities(text: str, stop, is_title: bool):
    """Content words as (lower, proper) and capitalised-word bigrams.

    proper: capitalised and not sentence-initial (body only; in titles case is style, not signal).
    Entity bigrams join adjacent capitalised non-stop words, optionally across one connector ("bank of japan")."""
    return _words_and_entities_in(_scan(text), stop, is_title)


def _words_and_entities_in(toks, stop, is_title: bool):
    """_words_and_entities over a _scan of the text."""
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
    m = _DATELINE_RE.match(text)
    whole = _scan(text)
    return whole, (_scan(text[m.end() :]) if m else whole)


def encode_texts(titles: Sequence[str], texts: Sequence[str]) -> Encoded:
    """Tokenise every article once into compact integer arrays (ids in first-seen order)."""
    if len(titles) != len(texts):
        raise ValueError("titles and texts differ in length")
    enc = _Encoder()
    for t, x in zip(titles, texts, strict=True):
        enc.add(_scan(t or ""), _body_scans(x)[1])
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


# ================================================================ sparse helpers


def _row_top(X, m):
    """Boolean mask over X.data keeping the m largest entries of each row (ties: lower column first)."""
    n = X.shape[0]
    lens = np.diff(X.indptr)
    rows = np.repeat(np.arange(n), lens)
    order = np.lexsort((X.indices, -X.data, rows))  # by row, then weight desc, then column
    rank = np.arange(len(order)) - np.repeat(X.indptr[:-1], lens)
    keep = np.zeros(len(order), bool)
    keep[order[rank < m]] = True
    return keep


def _pair_dots(M, a, b, chunk=8000):
    """Exact dot products M[a[i]] . M[b[i]] for CSR M, in chunks to bound memory."""
    out = np.empty(len(a), np.float64)
    for s in range(0, len(a), chunk):
        A = M[a[s : s + chunk]]
        B = M[b[s : s + chunk]]
        out[s : s + chunk] = np.asarray(A.multiply(B).sum(axis=1), dtype=np.float64).ravel()
    return out


def _top_per_row(rows, cols, score, k):
    """Keep, for each row, the k best (score desc, col asc). Inputs are parallel arrays."""
    order = np.lexsort((cols, -score, rows))
    rows, cols, score = rows[order], cols[order], score[order]
    start = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    rank = np.arange(len(rows)) - np.repeat(start, np.diff(np.r_[start, len(rows)]))
    keep = rank < k
    return rows[keep], cols[keep], score[keep]


# ================================================================ candidate graph


def knn_graph(X, times=None, block=1024):
    """Symmetric sparse neighbour graph as arrays (i, j, cos) with i < j."""
    n = X.shape[0]
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    # B: each article's M_BLOCK heaviest terms; A: all its terms. A pair is a candidate when one article's heavy
    # term occurs anywhere in the other (one-sided, so that in tiny days, where idf is flat, pairs are not lost).
    B = X.copy()
    B.data = _row_top(X, M_BLOCK).astype(np.float32)
    B.eliminate_zeros()
    A = X.copy()
    A.data = np.ones_like(A.data)
    df = np.bincount(A.indices, minlength=X.shape[1])
    capped = sp.diags((df <= POSTING_CAP).astype(np.float32))
    B = (B @ capped).tocsr()
    B.eliminate_zeros()
    AT = (A @ capped).T.tocsr()
    AT.eliminate_zeros()
    R, C, S = [], [], []
    for s in range(0, n, block):
        cand = (B[s : s + block] @ AT).tocoo()
        r = cand.row.astype(np.int64) + s
        c = cand.col.astype(np.int64)
        cnt = cand.data
        m = r != c
        r, c, cnt = r[m], c[m], cnt[m]
        if times is not None:
            m = np.abs(times[r] - times[c]) <= TIME_GAP
            r, c, cnt = r[m], c[m], cnt[m]
        r, c, _ = _top_per_row(r, c, cnt.astype(np.float64), MAX_CANDIDATES)
        sim = _pair_dots(X, r, c)
        m = sim >= EDGE_MIN
        r, c, sim = _top_per_row(r[m], c[m], sim[m], K_NEIGHBOURS)
        R.append(r)
        C.append(c)
        S.append(sim)
    rr = np.concatenate(R)
    cc = np.concatenate(C)
    ss = np.concatenate(S)
    i, j = np.minimum(rr, cc), np.maximum(rr, cc)
    key = i * n + j
    key, first = np.unique(key, return_index=True)
    return i[first], j[first], ss[first]


# ================================================================ agglomeration


def _agglomerate(X, ei, ej, t_big=None, t_small=None, small=None):
    """Average-link agglomeration on the candidate graph; returns a representative index per article."""
    t_big = T_BIG if t_big is None else t_big
    t_small = T_SMALL if t_small is None else t_small
    small = SMALL_SIZE if small is None else small
    n = X.shape[0]
    parent = np.arange(n)
    size = np.ones(n)
    M = X.astype(np.float32).tocsr()  # row r = sum vector of the cluster represented by r (zero otherwise)
    pa, pb = ei.astype(np.int64), ej.astype(np.int64)
    dot = _pair_dots(M, pa, pb)
    while len(pa):
        avg = dot / (size[pa] * size[pb])
        thr = np.where(np.minimum(size[pa], size[pb]) <= small, t_small, t_big)
        ok = avg >= thr
        if not ok.any():
            break
        a, b, s = pa[ok], pb[ok], avg[ok]
        # best eligible neighbour of each cluster (ties -> lower index)
        rr = np.r_[a, b]
        cc = np.r_[b, a]
        ss = np.r_[s, s]
        r1, c1, _ = _top_per_row(rr, cc, ss, 1)
        best = np.full(n, -1)
        best[r1] = c1
        mutual = (best[a] == b) & (best[b] == a)
        ma, mb = a[mutual], b[mutual]
        # merge b into a (a < b): rep = a
        parent[mb] = ma
        size[ma] += size[mb]
        size[mb] = 0
        rows = np.arange(n)
        rows[mb] = ma
        P = sp.csr_matrix((np.ones(n, np.float32), (rows, np.arange(n))), shape=(n, n))
        M = (P @ M).tocsr()
        changed = np.zeros(n, bool)
        changed[ma] = True
        # relabel pairs, drop self pairs, dedupe
        na, nb = parent[pa], parent[pb]
        na, nb = np.minimum(na, nb), np.maximum(na, nb)
        keep = na != nb
        na, nb, old = na[keep], nb[keep], dot[keep]
        was_changed = changed[na] | changed[nb]
        key = na * n + nb
        key, idx = np.unique(key, return_index=True)
        pa, pb, dot, was_changed = na[idx], nb[idx], old[idx], was_changed[idx]
        if was_changed.any():
            dot[was_changed] = _pair_dots(M, pa[was_changed], pb[was_changed])
    # resolve representatives (each merge points b to a representative that is final at that round)
    for _ in range(64):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    return parent


def _renumber(rep) -> list[int]:
    ids: dict[int, int] = {}
    return [ids.setdefault(int(r), len(ids)) for r in rep]


def cluster_texts(titles: Sequence[str], texts: Sequence[str], *, times: Sequence[float] | None = None) -> list[int]:
    """Story id per article (0, 1, ... by first appearance). titles may contain empty strings.

    times: optional POSIX seconds per article; only used to forbid links between articles > TIME_GAP apart."""
    if len(titles) != len(texts):
        raise ValueError("titles and texts differ in length")
    return cluster_encoded(encode_texts(titles, texts), times=times)


def cluster_encoded(enc: Encoded, *, times: Sequence[float] | None = None) -> list[int]:
    """cluster_texts over articles already encoded."""
    n = len(enc.rows)
    if n == 0:
        return []
    if n == 1:
        return [0]
    X, _, _ = vectorize_encoded(enc)
    t = None if times is None else np.asarray(times, np.float64)
    ei, ej, _ = knn_graph(X, t)
    return _renumber(_agglomerate(X, ei, ej))


# ================================================================ labels and headline
# Role words are trimmed from the front of names ("President Bill Clinton" -> "Bill Clinton"); generic words may
# end a name ("White House") but never make one alone; company suffixes are trimmed from the end.
_ROLE = _HONORIFICS | frozenset(
    [
        "president",
        "prime",
        "minister",
        "secretary",
        "spokesman",
        "spokeswoman",
        "official",
        "chairman",
        "leader",
        "premier",
        "deputy",
        "vice",
        "speaker",
        "ambassador",
        "judge",
        "mayor",
        "king",
        "queen",
        "prince",
        "pope",
        "former",
        "chief",
        "foreign",
        "interior",
        "defense",
        "finance",
        "state",
        "general",
    ]
)
_GENERIC = _ROLE | frozenset(
    [
        "government",
        "party",
        "house",
        "senate",
        "congress",
        "states",
        "city",
        "country",
        "united",
        "national",
        "international",
        "new",
        "people",
        "world",
        "north",
        "south",
        "east",
        "west",
        "central",
        "police",
        "army",
        "court",
        "group",
        "council",
        "committee",
        "ministry",
        "officials",
        "official",
    ]
)
_SUFFIX = frozenset(["corp", "inc", "co", "ltd", "plc"])
LABEL_TITLE_BONUS = 1.0  # a title mention counts like full coverage again: headlines name the story


def _lower_seen(texts) -> set:
    return {low for text in texts for w, low, cap, ss in _tokens(text) if not cap}


def _proper_set(texts) -> Counter:
    """lower -> (capitalised mid-sentence occurrences) - (lower-case occurrences); > 0 marks a name word."""
    score: Counter = Counter()
    for text in texts:
        for _w, low, cap, sstart in _tokens(text):
            if not sstart:
                score[low] += 1 if cap else -1
    return score


def _phrases(toks, stop, proper, is_title: bool):
    """Names as tuples of surface words: runs of capitalised words (a connector such as 'of' allowed inside, broken
    at punctuation), role words trimmed from the front, company suffixes from the end, at most 3 words (longer runs
    keep their last two). A capitalised word counts when it is a known name word, or when it is capitalised
    mid-sentence next to one ("Hurricane Mitch", "Asian Games"). toks: _scan of the text."""
    table = _SurfaceTable(stop, proper)
    ids = array("i", [table.add(w, low, cap) for w, low, cap, _ss, _br in toks])
    return _name_phrases(ids, bytes(ss | (br << 1) for _w, _low, _cap, ss, br in toks), is_title, table, proper)


class _SurfaceTable:
    """Per distinct token surface, what name finding asks of it (possessive 's dropped): computed once a day."""

    __slots__ = ("cap", "capok", "name", "proper", "stop", "word")

    def __init__(self, stop, proper) -> None:
        self.stop, self.proper = stop, proper
        self.word: list[tuple[str, str]] = []  # (surface, lower) without a possessive 's
        self.cap: list[bool] = []
        self.name: list[bool] = []  # capitalised, a name word of the day, not a stop word
        self.capok: list[bool] = []  # capitalised and not a stop word: may join a name next to one

    def add(self, w: str, low: str, cap: bool) -> int:
        if low.endswith("'s") or low.endswith("\u2019s"):
            w, low = w[:-2], low[:-2]
        self.word.append((w, low))
        self.cap.append(cap)
        self.name.append(cap and self.proper.get(low, 0) > 0 and low not in self.stop)
        self.capok.append(cap and low not in self.stop)
        return len(self.word) - 1


def _name_phrases(ids, flags: bytes, is_title: bool, table: _SurfaceTable, proper) -> list[tuple[str, ...]]:
    """_phrases over tokens given as surface ids into table and flag bytes (1 sentence start, 2 break before)."""
    word, capt, name, capok = table.word, table.cap, table.name, table.capok
    n = len(ids)
    runs: list[list[tuple[str, str]]] = []
    run: list[tuple[str, str]] = []
    pend = None
    for k in range(n):
        i = ids[k]
        cap = capt[i]
        if not cap and not run:
            continue  # a lower-case word outside a name: nothing to do (pend is None whenever run is empty)
        f = flags[k]
        if f & 2 and run:
            runs.append(run)
            run, pend = [], None
        if name[i] or (
            capok[i] and ((k > 0 and name[ids[k - 1]]) or (k + 1 < n and name[ids[k + 1]])) and (is_title or not f & 1)
        ):
            if pend and run:
                run.append(pend)
            pend = None
            run.append(word[i])
            continue
        low = word[i][1]
        if run and low in _ENTITY_CONNECT and not cap and pend is None:
            pend = word[i]
            continue
        if run:
            runs.append(run)
        run, pend = [], None
    if run:
        runs.append(run)
    return _trim_runs(runs, proper)


def _trim_runs(runs: list[list[tuple[str, str]]], proper) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in runs:
        if len(r) == 1:  # the common case, decided without the trimming loops below
            w, low = r[0]
            if low not in _GENERIC and low not in _ENTITY_CONNECT and proper.get(low, 0) > 0:
                out.append((w,))
            continue
        while len(r) > 1 and r[0][1] in _ROLE and r[1][1] not in _GENERIC:
            r = r[1:]
        while len(r) > 1 and r[-1][1] in _SUFFIX:
            r = r[:-1]
        while r and r[-1][1] in _ENTITY_CONNECT:
            r = r[:-1]
        while r and r[0][1] in _ENTITY_CONNECT:
            r = r[1:]
        if len(r) > 3:
            r = r[-2:]
        if not r or all(low in _GENERIC for _, low in r):
            continue
        if len(r) == 1 and proper.get(r[0][1], 0) <= 0:
            continue
        out.append(tuple(w for w, _ in r))
    return out


def _display(counter: Counter, avoid=frozenset()) -> str:
    items = sorted(counter.items())
    pref = [kv for kv in items if kv[0].lower() not in avoid] or items
    return max(pref, key=lambda kv: kv[1])[0]


class DayLabels:
    """Labels for the stories of one day, with the day-level statistics computed once.

    Labels contrast a story with the rest of its day (c-TF-IDF style: coverage in the story x
    log(1 + 1/share of the other articles mentioning it)). The rest-of-day counts are the day's
    counts minus the story's, and each article's evidence (its names and plain words) is read once
    and kept as integer arrays, so labelling every story of a day costs one pass over the day plus
    work proportional to each story's own evidence. Names keep their written form, other words are
    lower case.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []  # kept for the written-order check ("Hurricane Mitch"), not re-read
        self._ids: dict[str, int] = {}  # every string kept for labels (words, surfaces) -> a small integer
        self._strings: list[str] = []
        # Tokens as the scans gave them, kept compact between the two passes: surface ids into _tok_*
        # and one flag byte each (1: sentence start, 2: punctuation before).
        self._tok_ids: dict[str, int] = {}
        self._tok: list[tuple[str, str, bool]] = []  # surface, lower, capitalised
        self._cached: list[tuple[array, bytes, array, bytes]] = []
        self._proper: Counter[str] = Counter()
        self._lower: list[array] = []
        self._done = False

    @classmethod
    def from_texts(cls, titles: Sequence[str], texts: Sequence[str]) -> DayLabels:
        """The labeller for a day given as titles and texts."""
        day = cls()
        for title, text in zip(titles, texts, strict=True):
            whole, body = _body_scans(text)
            day.add(text, _scan(title or ""), whole, body)
        return day

    def _sid(self, value: str) -> int:
        got = self._ids.get(value)
        if got is None:
            got = self._ids[value] = len(self._strings)
            self._strings.append(value)
        return got

    def _pack(self, toks) -> tuple[array, bytes]:
        ids = self._tok_ids
        out = array("i")
        for w, low, cap, _ss, _br in toks:
            i = ids.get(w)
            if i is None:
                i = ids[w] = len(self._tok)
                self._tok.append((w, low, cap))
            out.append(i)
        return out, bytes(ss | (br << 1) for _w, _low, _cap, ss, br in toks)

    def add(self, text: str, title_toks, whole_toks, body_toks) -> None:
        """Pass 1, one article at a time: which words are names (capitalised mid-sentence more often than
        not, over the whole text) and the article's lower-case words (a story's own vocabulary decides
        which plain words it may be labelled by); the title and dateline-free body kept for pass 2."""
        if self._done:
            raise RuntimeError("DayLabels: add() after the first label()")
        proper = self._proper
        for _w, low, cap, ss, _br in whole_toks:
            if not ss:
                proper[low] += 1 if cap else -1
        sid = self._sid
        self._lower.append(array("i", sorted({sid(low) for _w, low, cap, _ss, _br in whole_toks if not cap})))
        self._texts.append(text or "")
        self._cached.append((*self._pack(title_toks), *self._pack(body_toks)))

    def _finish(self) -> None:
        """Pass 2: each article's names (stem tuples, with their written forms) and plain words."""
        self._done = True
        stop, proper, sid = _stop(), self._proper, self._sid
        self._n = len(self._texts)
        keys: dict[tuple[str, ...], int] = {}
        self._key_ids = keys
        self._keys: list[tuple[str, ...]] = []
        self._stem: dict[int, str] = {}
        self._names: list[tuple[array, array, array, array, array]] = []
        self._words: list[tuple[array, array]] = []
        self._dfn: Counter[int] = Counter()
        self._dfw: dict[str, Counter[frozenset[int]]] = {}
        cached, self._cached = self._cached, []
        phrase_keys: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # a name -> its (key, surface) ids
        # What each distinct token surface means here, decided once: its part in names, and the plain
        # word it counts as (-1 when it counts as none: stop words, names, short or generic words).
        table = _SurfaceTable(stop, proper)
        plain = np.full(max(1, len(self._tok)), -1, np.int64)
        for i, (w, low, cap) in enumerate(self._tok):
            table.add(w, low, cap)
            if low.endswith("'s"):
                low = low[:-2]
            if low in stop or len(low) < 3 or proper.get(low, 0) > 0 or low in _GENERIC:
                continue
            code = sid(low)
            if code not in self._stem:
                self._stem[code] = stem(low)
            plain[i] = code
        for title_ids, title_flags, body_ids, body_flags in cached:
            names: Counter[int] = Counter()
            tnames: set[int] = set()
            surfaces: Counter[tuple[int, int]] = Counter()
            words: Counter[int] = Counter()  # surface id * 2 + in title -> occurrences
            for ids, flags, is_title in ((title_ids, title_flags, True), (body_ids, body_flags, False)):
                for ph in _name_phrases(ids, flags, is_title, table, proper):
                    found = phrase_keys.get(ph)
                    if found is None:
                        subs = [ph]
                        if len(ph) > 1 and ph[-1].lower() not in _GENERIC:
                            subs.append(ph[-1:])  # "Augusto Pinochet" also counts as "Pinochet"
                        found = []
                        for p in subs:
                            key = tuple(stem(x.lower()) for x in p)
                            k = keys.get(key)
                            if k is None:
                                k = keys[key] = len(self._keys)
                                self._keys.append(key)
                            found.append((k, sid(" ".join(p))))
                        phrase_keys[ph] = found
                    for k, surface in found:
                        names[k] += 1
                        surfaces[k, surface] += 1
                        if is_title:
                            tnames.add(k)
                if len(ids):
                    codes = plain[np.frombuffer(ids, dtype=np.int32)]
                    codes = codes[codes >= 0] * 2 + is_title
                    uniq, seen = np.unique(codes, return_counts=True)
                    words.update(dict(zip(uniq.tolist(), seen.tolist(), strict=True)))
            self._dfn.update(names.keys())
            by_stem: dict[str, set[int]] = {}
            for code in words:
                by_stem.setdefault(self._stem[code >> 1], set()).add(code >> 1)
            for word_stem, surface_ids in by_stem.items():
                counts = self._dfw.get(word_stem)
                if counts is None:
                    counts = self._dfw[word_stem] = Counter()
                counts[frozenset(surface_ids)] += 1
            self._names.append(
                (
                    array("i", names.keys()),
                    array("i", names.values()),
                    array("i", sorted(tnames)),
                    array("q", [k * (1 << 32) + s for k, s in surfaces]),
                    array("i", surfaces.values()),
                )
            )
            self._words.append((array("i", words.keys()), array("i", words.values())))

    def label(self, members: Sequence[int]) -> str:
        """A 1-3 word topic phrase for the story made of the day's articles at these positions."""
        n_c = len(members)
        if n_c == 0:
            return ""
        if not self._done:
            self._finish()
        strings = self._strings
        lower_seen: set[int] = set()
        for i in members:
            lower_seen.update(self._lower[i])
        dfn: Counter = Counter()
        dfw: Counter = Counter()
        tfn: Counter = Counter()
        tfw: Counter = Counter()
        tn: Counter = Counter()
        tw: Counter = Counter()
        sn: dict[tuple[str, ...], Counter[str]] = {}
        sw: dict[str, Counter[str]] = {}
        for i in members:
            nk, nc, tk, sk, sc = self._names[i]
            for k, c in zip(nk, nc, strict=True):
                key = self._keys[k]
                dfn[key] += 1
                tfn[key] += c
            tn.update(self._keys[k] for k in tk)
            for code, c in zip(sk, sc, strict=True):
                key = self._keys[code >> 32]
                if key not in sn:
                    sn[key] = Counter()
                sn[key][strings[code & 0xFFFFFFFF]] += c
            seen: set[str] = set()
            titled: set[str] = set()
            for code, c in zip(*self._words[i], strict=True):
                surface = code >> 1
                if surface not in lower_seen:
                    continue
                k = self._stem[surface]
                seen.add(k)
                tfw[k] += c
                if k not in sw:
                    sw[k] = Counter()
                sw[k][strings[surface]] += c
                if code & 1:
                    titled.add(k)
            dfw.update(seen)
            tw.update(titled)
        n_o = self._n - n_c

        def other_words(k: str) -> int:
            hits = sum(n for surfaces, n in self._dfw.get(k, {}).items() if not surfaces.isdisjoint(lower_seen))
            return hits - dfw[k]

        def score(df, tf, tdf, odf):
            cov = df / n_c + LABEL_TITLE_BONUS * tdf / n_c
            rest = (odf + 0.5) / (n_o + 1.0)
            return cov**1.5 * math.log(1.0 + 1.0 / rest) * (1.0 + 0.25 * math.log(tf / df))

        names = sorted(
            ((score(dfn[k], tfn[k], tn[k], self._dfn[self._key_ids[k]] - dfn[k]), len(k), k) for k in dfn),
            key=lambda t: (-t[0], -t[1], t[2]),
        )
        words_ = sorted(
            ((score(dfw[k], tfw[k], tw[k], other_words(k)), k) for k in dfw),
            key=lambda t: (-t[0], t[1]),
        )
        return _choose_label(names, words_, sn, sw, [self._texts[i] for i in members])


def _choose_label(names, words, sn, sw, texts) -> str:
    """Either the best name alone when it has 2+ words and beats every plain word, or the best name followed by the
    best plain word; without names, the two best plain words."""
    if not names and not words:
        return ""
    if not names:
        return " ".join(_display(sw[k]) for _, k in words[:2])
    best_score, _, best = names[0]
    for sc, ln, k in names[1:6]:  # a longer name holding the best one and nearly as strong: "Hurricane Mitch"
        if ln > len(best) and set(best) <= set(k) and sc >= 0.6 * best_score:
            best_score, best = sc, k
            break
    label = _display(sn[best])
    if len(best) >= 2 and (not words or best_score >= words[0][0]):
        return label
    if len(best) >= 3:
        return label
    for _sc, k in words:
        disp = _display(sw[k])
        if stem(disp) not in best:
            written = disp[:1].upper() + disp[1:] + " " + label
            if any(written in x for x in texts):  # "Hurricane Mitch" rather than "Mitch hurricane"
                return written
            return label + " " + disp
    return label


def label_cluster(
    titles: Sequence[str], texts: Sequence[str], other_titles: Sequence[str] = (), other_texts: Sequence[str] = ()
) -> str:
    """A 1-3 word topic phrase for one story, e.g. "Hurricane Mitch", "Gaza aid", "UN peacekeeping".

    titles/texts: the story's articles; other_*: the rest of the day. For many stories of one day use DayLabels,
    which reads the day once."""
    day = DayLabels.from_texts([*titles, *other_titles], [*texts, *other_texts])
    return day.label(range(len(texts)))


def pick_headline_index(titles: Sequence[str], texts: Sequence[str]) -> int:
    """Index of the most central article (highest cosine to the story centroid); articles with a title first."""
    if len(texts) <= 1:
        return 0
    return _central(encode_texts(titles, texts), titles)


def _central(enc: Encoded, titles: Sequence[str]) -> int:
    X, _, _ = vectorize_encoded(enc)
    cen = np.asarray(X.sum(axis=0)).ravel()
    sc = X @ cen
    has_title = np.array([bool((t or "").strip()) for t in titles])
    sc = np.where(has_title, sc, sc - 1e9) if has_title.any() else sc
    return int(np.argmax(sc))  # argmax takes the first of ties


def story_id(articles: Sequence[Article]) -> str:
    """A stable id for a story: derived from its earliest article."""
    first = min(articles, key=lambda a: a.time_key)
    return hashlib.sha256(f"story:{first.id}".encode()).hexdigest()[:12]


def _times(articles: Sequence[Article]) -> list[float] | None:
    stamps = [a.published.timestamp() if a.published else None for a in articles]
    if all(s is None for s in stamps):
        return None
    # An article without a time is placed at the day's latest, so it may join any story of the day.
    latest = max(s for s in stamps if s is not None)
    return [latest if s is None else s for s in stamps]


class StoryDay:
    """One day's articles analysed once for every story-level stage: grouping, labels and headlines.

    Each article is scanned once (twice when it opens with a dateline) and the scans feed both the
    clustering features (``Encoded``) and the labels' day-level statistics (``DayLabels``). Each
    story is then labelled and given a headline from its own members only, so the whole day costs
    time linear in its articles.
    """

    def __init__(self, articles: Sequence[Article], *, labels: bool = True) -> None:
        self.articles = tuple(articles)
        self._position = {a.id: n for n, a in enumerate(self.articles)}
        encoder = _Encoder()
        self._labels = DayLabels() if labels else None
        for a in self.articles:
            title = _scan(a.title or "")
            whole, body = _body_scans(a.text)
            encoder.add(title, body)
            if self._labels is not None:
                self._labels.add(a.text, title, whole, body)
        self._enc = encoder.encoded()

    def groups(self) -> list[list[Article]]:
        """The day's stories; groups and their members keep the input order."""
        if len(self.articles) <= 1:
            return [list(self.articles)] if self.articles else []
        ids = cluster_encoded(self._enc, times=_times(self.articles))
        groups: dict[int, list[Article]] = {}
        for article, cid in zip(self.articles, ids, strict=True):
            groups.setdefault(cid, []).append(article)
        return list(groups.values())

    def label(self, story: Sequence[Article]) -> str:
        """A short topic phrase people would write ("Gaza aid", "Hurricane Mitch") for one of the day's stories."""
        if self._labels is None:
            raise RuntimeError("StoryDay(labels=False) cannot label")
        return self._labels.label([self._position[a.id] for a in story])

    def headline(self, story: Sequence[Article]) -> Article:
        """The story's most central article, whose title becomes the story's headline."""
        if len(story) <= 1:
            return story[0]
        members = [self._position[a.id] for a in story]
        return story[_central(_local(self._enc, members), [a.title for a in story])]


def cluster_articles(articles: Sequence[Article]) -> list[list[Article]]:
    """Group articles into stories; groups and their members keep the input order."""
    return StoryDay(articles, labels=False).groups()


def label_story(story: Sequence[Article], day: Sequence[Article]) -> str:
    """A short topic phrase for the story among the day's (for one story; StoryDay.label for a whole day)."""
    members = {a.id for a in story}
    others = [a for a in day if a.id not in members]
    return label_cluster(
        [a.title for a in story], [a.text for a in story], [a.title for a in others], [a.text for a in others]
    )


def pick_headline(story: Sequence[Article]) -> Article:
    """The story's most central article, whose title becomes the story's headline."""
    return story[pick_headline_index([a.title for a in story], [a.text for a in story])]
