"""Duplicate articles to one (pure): the same URL in disguise, and the same text in several outlets.

Two articles are one when

- their URLs are the same once tracking parameters, mobile/AMP hosts, ``www.``, fragments and
  default ports are taken away (``canonical_url``), or
- their texts are near-duplicates: MinHash signatures over word 5-shingles find candidate pairs
  through locality-sensitive hashing (so the cost grows with the number of articles, not its
  square), and a candidate pair is confirmed on the exact shingle sets when the shingles they
  share cover ``OVERLAP_THRESHOLD`` of the shorter text. Overlap of the shorter text, rather
  than Jaccard, keeps a wire copy that cut the last paragraphs together with the full story.

Each group keeps one representative (the longest text; ties to the earliest, then the smallest
id) carrying the others as ``also_in`` (outlet, url) pairs. The result is the same whatever the
input order. ``benchmarks/eval_dedup.py`` measures precision and recall on a built set.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import zlib
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..models import Article
from ..text import shingle_words

__all__ = ["canonical_url", "dedup_articles", "duplicate_groups", "shingles", "text_overlap"]

SHINGLE_WORDS = 5  # 5-word shingles: common phrases rarely repeat across different articles
NUM_PERM = 128  # MinHash permutations: Jaccard estimate within ~0.09 (1/sqrt(128))
BANDS, ROWS = 64, 2  # 64 bands of 2 rows: a pair at Jaccard 0.3 becomes a candidate 99.8% of the time, at
# 0.1 47%, at 0.02 2.5%; the exact check below then decides. 32x4 missed 13% of pairs at Jaccard 0.5
# (cut copies); chosen with benchmarks/eval_dedup.py.
# Share of the shorter text's shingles found in the other. Measured on benchmarks/eval_dedup.py:
# wire copies, re-edits, cut copies and new ledes score 0.8-1.0; round-ups quoting a paragraph of
# each of several articles reach 0.5-0.8 with each other, so 0.8 is where precision reaches 0.999.
OVERLAP_THRESHOLD = 0.8
# Jaccard floor on top of the overlap: a short cut copy half-quoted inside a round-up has high overlap
# but low Jaccard (~0.25); real cut copies keep 0.4+. Measured with benchmarks/eval_dedup.py.
MIN_JACCARD = 0.3
# Members of one LSH bucket paired with each other; a bigger bucket only chains its members. At 100,000
# articles, buckets of stock phrases reach thousands of members, whose pairs (millions) made the
# build quadratic; on DUC 2004 and the dedup evaluation no bucket has more than a handful.
BUCKET_PAIRS_MAX = 32
MIN_SHINGLES = 20  # texts shorter than this (about 25 words) are too short to call duplicates
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref|ref_src|cmpid"
    r"|ocid|smid|smtyp|src|share|s_cid|ns_\w+|at_\w+|wt\.\w+|__twitter_impression|guccounter|output)$",
    re.IGNORECASE,
)
_MOBILE_HOST = re.compile(r"^(?:www|m|mobile|amp|beta)\.", re.IGNORECASE)
_AMP_PATH = re.compile(r"(?:/amp/?|\.amp(?=\.html?$)|/amp\.html?)$", re.IGNORECASE)

_SIGNATURE_BLOCK = 16_384  # shingle hashes per block of signatures: a 16 MB table of 128 permutations (fits cache)
_rng = np.random.default_rng(20261124)  # fixed seed: signatures, and so results, are reproducible
_A = _rng.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_MASK = np.uint64(0xFFFFFFFF)


def canonical_url(url: str) -> str:
    """The URL with tracking parameters, mobile/AMP variants, www, fragment and default port removed."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    while _MOBILE_HOST.match(host):
        host = _MOBILE_HOST.sub("", host, count=1)
    if port and port not in {80, 443}:
        host = f"{host}:{port}"
    path = _AMP_PATH.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k))
    )
    # http and https name the same article
    return urlunsplit(
        ("https" if parts.scheme.lower() in {"http", "https"} else parts.scheme.lower(), host, path, query, "")
    )


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (2**64 / golden ratio) for the rolling shingle hash


def _word_hashes(words: list[str], cache: dict[str, int]) -> np.ndarray:
    for w in set(words).difference(cache):
        cache[w] = zlib.crc32(w.encode("utf-8"))
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def _shingle_hashes(text: str, cache: dict[str, int]) -> np.ndarray:
    """The text's distinct shingle hashes, sorted (uint32): 4 bytes each, where a set of ints costs ~70."""
    words = shingle_words(text)
    if not words:
        return np.zeros(0, np.uint32)
    hashes = _word_hashes(words, cache)
    if len(words) < SHINGLE_WORDS:
        hashes = hashes[:1] if len(words) == 1 else hashes
        count = 1
    else:
        count = len(words) - SHINGLE_WORDS + 1
    width = min(SHINGLE_WORDS, len(words))
    acc = np.zeros(count, np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            acc = acc * _MIX + hashes[k : k + count] + np.uint64(k + 1)
    folded = (acc >> np.uint64(32)) ^ (acc & _MASK)
    return np.unique(folded.astype(np.uint32))


def shingles(text: str, cache: dict[str, int] | None = None) -> frozenset[int]:
    """32-bit hashes of the text's lower-cased word 5-shingles.

    Each word is hashed once (crc32, memoised in cache across a day's texts) and the five word
    hashes of a shingle are combined with a multiply-add over 64 bits, folded to 32: the same
    shingle always gets the same hash, without building the shingle's string.
    """
    return frozenset(_shingle_hashes(text, {} if cache is None else cache).tolist())


def text_overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller shingle set found in the other (0 when either is empty)."""
    return _ratios(len(a & b), len(a), len(b))[0]


def _ratios(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    """(share of the shorter text's shingles found in the other, Jaccard) for two sets sharing shared."""
    if not shared:
        return 0.0, 0.0
    return shared / min(size_a, size_b), shared / (size_a + size_b - shared)


def _signatures(sets: Sequence[np.ndarray]) -> np.ndarray:
    """MinHash signatures, one row per shingle set: for every permutation, the least (a*x + b) >> 32
    over the set's hashes x (multiply-shift hashing over 64 bits, which wraps; the top 32 bits are
    the well-mixed ones). Computed over many sets at once, in blocks that bound the memory."""
    out = np.empty((len(sets), NUM_PERM), np.uint64)
    start = 0
    while start < len(sets):
        stop, total = start, 0
        while stop < len(sets) and (stop == start or total + len(sets[stop]) <= _SIGNATURE_BLOCK):
            total += len(sets[stop])
            stop += 1
        values = np.concatenate(sets[start:stop]).astype(np.uint64)
        with np.errstate(over="ignore"):
            table = np.multiply.outer(values, _A)
            table += _B
            table >>= np.uint64(32)
        offsets = np.cumsum([0] + [len(s) for s in sets[start : stop - 1]])
        out[start:stop] = np.minimum.reduceat(table, offsets, axis=0)
        start = stop
    return out


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def duplicate_groups(
    articles: Sequence[Article], threshold: float = OVERLAP_THRESHOLD, min_jaccard: float = MIN_JACCARD
) -> list[list[int]]:
    """Indices of articles grouped by duplication (singletons included), each group sorted."""
    n = len(articles)
    uf = _UnionFind(n)
    by_url: dict[str, int] = {}
    for i, a in enumerate(articles):
        key = canonical_url(a.url)
        if key:
            if key in by_url:
                uf.union(by_url[key], i)
            else:
                by_url[key] = i
    cache: dict[str, int] = {}
    sets = [_shingle_hashes(a.text, cache) for a in articles]
    # LSH: one row per (article, band) with the band's two minima as one 64-bit key; articles that
    # share a band key somewhere become candidate pairs. Sorting the rows finds the shared keys.
    long = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    if len(long) > 1:
        sigs = _signatures([sets[i] for i in long])  # (m, NUM_PERM) of 32-bit values
        keys = (sigs[:, 0::ROWS] << np.uint64(32)) | sigs[:, 1::ROWS]  # (m, BANDS); ROWS == 2
        band = np.tile(np.arange(BANDS, dtype=np.int64), len(long))
        who = np.repeat(np.asarray(long, dtype=np.int64), BANDS)
        flat = keys.ravel()
        order = np.lexsort((who, flat, band))
        band, flat, who = band[order], flat[order], who[order]
        same = (band[1:] == band[:-1]) & (flat[1:] == flat[:-1])
        starts = np.flatnonzero(np.r_[True, ~same])
        ends = np.r_[starts[1:], len(who)]
        pairs: set[tuple[int, int]] = set()
        for s0, e0 in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True):
            members = who[s0:e0].tolist()
            if len(members) > BUCKET_PAIRS_MAX:
                # A band shared by this many articles is a stock phrase more often than a copy: chain the
                # members instead of pairing them all (copies of one text share most bands, so they still
                # link up through the chain or through another band's smaller bucket).
                pairs.update(itertools.pairwise(members))
                continue
            pairs.update((members[x], members[y]) for x in range(len(members)) for y in range(x + 1, len(members)))
        for pair in sorted(pairs):
            if uf.find(pair[0]) == uf.find(pair[1]):
                continue
            left, right = sets[pair[0]], sets[pair[1]]
            shared = np.intersect1d(left, right, assume_unique=True).size
            overlap, jaccard = _ratios(shared, len(left), len(right))
            if overlap >= threshold and jaccard >= min_jaccard:
                uf.union(*pair)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    return sorted(groups.values())


def _rank(a: Article) -> tuple[int, str, str]:
    # Longest text first (the fullest version to summarise), then the earliest, then by id.
    return (-len(a.text), a.published.isoformat() if a.published else "9999", a.id)


def dedup_articles(articles: Sequence[Article], threshold: float = OVERLAP_THRESHOLD) -> tuple[Article, ...]:
    """One article per duplicate group, listing the others' (outlet, url) in ``also_in`` and each of them in
    ``duplicates`` (so every article read stays accounted for).

    Representatives come back in the order their groups first appear in ``articles``.
    """
    ordered = sorted(articles, key=lambda a: a.id)  # grouping must not depend on input order
    position = {a.id: n for n, a in reversed(list(enumerate(articles)))}
    kept: list[tuple[int, Article]] = []
    for group in duplicate_groups(ordered, threshold):
        members = sorted((ordered[i] for i in group), key=_rank)
        head, rest = members[0], members[1:]
        if rest:
            seen = {(head.outlet, head.url), *head.also_in}
            also = list(head.also_in)
            copies = list(head.duplicates)
            for other in sorted(rest, key=lambda a: a.time_key):
                copies += [other.as_duplicate(), *other.duplicates]
                for pair in [(other.outlet, other.url), *other.also_in]:
                    if pair not in seen and (pair[0] or pair[1]):
                        seen.add(pair)
                        also.append(pair)
            head = dataclasses.replace(head, also_in=tuple(also), duplicates=tuple(copies))
        kept.append((min(position[m.id] for m in members), head))
    return tuple(head for _first, head in sorted(kept, key=lambda pair: pair[0]))
