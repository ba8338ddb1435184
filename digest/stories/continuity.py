"""Stories across days (pure): link today's story groups to the stories of the days before.

Each story is recorded with a signature: its most distinctive terms, weighted by TF-IDF over
that day's stories and L2-normalised. Building day D, each of D's groups is compared with the
stories recorded for the LOOKBACK_DAYS days before D. A group that shares an article with an
earlier story, or whose signature is close enough to one (cosine >= LINK_THRESHOLD), continues
it: it keeps that story's id and label and is "developing". Everything else is "new".

A link on similarity also needs anchor terms in common (see anchored). The matching is one to
one: each possible link weighs its cosine plus the share of the group's articles the earlier
story had, and each connected component of the possible links takes the assignment of greatest
total weight, ties to the links that sort first (weight, shared articles, similarity, the more
recent day, then the ids), so it never depends on dict or set order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from ..models import Article, PreviousEdition, PriorStory, StoryStatus, Told
from ..text import letter_words, stem, stop_words, sumy_language
from .day import story_hash, story_id
from .features import TITLE_WEIGHT

__all__ = [
    "ANCHORS_NEEDED",
    "ANCHOR_TERMS",
    "LINK_THRESHOLD",
    "LOOKBACK_DAYS",
    "ONE_ANCHOR_REST",
    "RELABEL_GROWTH",
    "LinkedGroup",
    "anchored",
    "label_basis",
    "link_stories",
    "outgrew_label",
    "previous_editions",
    "shared_anchors",
    "signature_similarity",
    "story_terms",
    "told_before",
]

# A story that pauses for a weekend still continues on Monday; older stories are history.
LOOKBACK_DAYS = 3
# Cosine between two days' signatures from which they are one story. Measured by
# benchmarks/eval_continuity.py: on tests/fixtures/three_days the continuing stories score
# 0.33-0.59 day to day and unrelated stories at most 0.13 (a chess title and a tennis final);
# halves of the sample day's stories score >= 0.54 against each other, <= 0.05 against others.
# 0.2 sits in both gaps; held-out DUC 2004 halves then link 20 of 20 continuing stories (own
# halves >= 0.27), and its only other links join two stories of one running thread (>= 0.45).
LINK_THRESHOLD = 0.2
# Terms kept per signature: enough to hold a story's names and topic words, small to store.
TERMS_KEPT = 40
# Earlier stories kept as candidates per story of today: a one-to-one match rarely needs more
# than the best few, and keeping few bounds the work when many stories look alike.
LINK_CANDIDATES = 8
# A term in more signatures than this (of today's and the earlier days' stories together) is
# too common to find candidates with: it would make the work grow with the square of the day.
# The candidates found are then scored on whole signatures, common terms included. Below this
# many stories nothing is left out (every fixture and test day); see bench_continuity.py.
MAX_POSTINGS = 400
# A link on similarity alone also needs ANCHORS_NEEDED of the two signatures' ANCHOR_TERMS
# heaviest terms in common (a name and a topic word, say). Among tens of thousands of earlier
# stories some unrelated pair reaches LINK_THRESHOLD on many middling shared words; a continuing
# story keeps its distinctive terms near the top. Measured (eval_continuity.py, bench_continuity.py):
# every continuing pair of the three-day fixture, the sample halves and DUC's halves shares >= 3 of
# its top 10, and no continuing story of those sets or of the 10k synthetic day is lost; false links on
# the synthetic days fall from 6 to 1 (10k articles) and from 5,911 to 1,126 (100k). The top 5 was
# too few: word order at the top shifts between days and 2 of DUC's 20 continuing stories were lost.
ANCHOR_TERMS = 10
ANCHORS_NEEDED = 2
# ... or just one, when the pair's cosine without that term's share is still ONE_ANCHOR_REST: a
# false pair on one anchor is one shared name and little else, a continuing story on a broad
# topic shares one top term and many lesser ones. Measured (eval_update.py's stored signatures;
# pairs with cosine >= 0.2 and one anchor): on the synthetic 100k day's 14,262 false pairs the
# rest is <= 0.093 (<= 0.062 at 10k), so 0.1 adds no false candidate there; on DUC 2006's tuning
# half its same-topic pairs keep 0.103, 0.171 and 0.239 and no different-topic pair has one
# anchor. Held out: DUC 2006's odd topics' same-topic pairs keep 0.143-0.279 (Africa malaria and
# Columbine continue now) and DUC 2004's only such different-topic pair 0.159 (not linked: its
# story continues its own). Not lower: the synthetic tail (7 false pairs from 0.08 at 100k).
ONE_ANCHOR_REST = 0.1
# A developing story is re-labelled once it has this many times the articles its label was chosen
# from (a one-article story's label names a detail: "Swiss accounts" on a story of Pinochet's
# arrest once it has 3+ articles) and no word of its label is among its ANCHOR_TERMS heaviest
# terms any more; otherwise it keeps the label readers know it by. (DUC 2006's only relabel, an
# 85-article day-3 merge of autism with arthritis, evolution and a tribe, went from "Alan Unis
# autism" to "Association school" while "autism" was still its heaviest term.)
RELABEL_GROWTH = 3
# Today's groups or earlier stories in one connected component of the possible links beyond which
# the component is matched greedily (in candidate order) rather than by the best assignment,
# whose work is cubic in its size. Components are small: at most 4 a side on the synthetic 100k
# day, a handful on DUC's merged topics.
MAX_ASSIGN = 100
_SIM_SCALE = 10**6  # link weights count in the assignment to the millionth
_BLOCK_ROWS = 1024  # today's stories compared per sparse product: bounds its memory
_ROUND = 6  # signature weights are stored and compared at this precision


@dataclass(frozen=True, slots=True)
class LinkedGroup:
    """One of today's story groups and the identity it takes: an earlier story's, or its own."""

    articles: tuple[Article, ...]
    story_id: str
    label: str  # the earlier story's label; "" for a new story (the caller labels it)
    status: StoryStatus
    new_article_ids: tuple[str, ...]  # developing only: articles no earlier version had
    terms: tuple[tuple[str, float], ...]  # today's signature, to be recorded for later days
    similarity: float = 0.0  # cosine to the story it continues (0.0 when new)
    # Developing only: the continued story as recorded for the LOOKBACK_DAYS days before, oldest first.
    continued: tuple[PriorStory, ...] = ()


def _term_counts(articles: Sequence[Article]) -> Counter[str]:
    # Words are counted per language over the whole group first, so each distinct word is
    # stemmed once per story rather than once per article.
    words: dict[str, Counter[str]] = {}
    for article in articles:
        counts = words.setdefault(sumy_language(article.language), Counter())
        counts.update(w.lower() for w in letter_words(article.text))
        for w in letter_words(article.title):
            counts[w.lower()] += TITLE_WEIGHT
    terms: Counter[str] = Counter()
    for language, counts in words.items():
        stops = stop_words(language)
        for word, n in counts.items():
            if word not in stops:
                terms[stem(word, language)] += n
    return terms


def story_terms(groups: Sequence[Sequence[Article]]) -> list[tuple[tuple[str, float], ...]]:
    """Each group's signature: its TERMS_KEPT top terms by TF-IDF over the day's groups, L2-normalised."""
    counts = [_term_counts(g) for g in groups]
    df: Counter[str] = Counter(t for c in counts for t in c)
    n = len(groups)
    out = []
    for c in counts:
        weights = {t: (1.0 + math.log(tf)) * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, tf in c.items()}
        top = sorted(weights, key=lambda t: (-round(weights[t], 9), t))[:TERMS_KEPT]
        norm = math.sqrt(sum(weights[t] ** 2 for t in top)) or 1.0
        out.append(tuple((t, round(weights[t] / norm, _ROUND)) for t in top))
    return out


def signature_similarity(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]]) -> float:
    """Cosine between two signatures (both L2-normalised)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    lookup = dict(large)
    return round(sum(w * lookup.get(t, 0.0) for t, w in small), 9)


def _anchor_terms(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]]) -> set[str]:
    """The ANCHOR_TERMS heaviest terms two signatures (heaviest first) have in common."""
    return {t for t, _w in a[:ANCHOR_TERMS]} & {t for t, _w in b[:ANCHOR_TERMS]}


def shared_anchors(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]]) -> int:
    """How many of the ANCHOR_TERMS heaviest terms two signatures (heaviest first) have in common."""
    return len(_anchor_terms(a, b))


def _similar_pairs(
    today: Sequence[tuple[tuple[str, float], ...]], earlier: Sequence[PriorStory]
) -> dict[tuple[int, int], float]:
    """Cosines >= LINK_THRESHOLD between today's signatures and earlier ones, by (group, record) index.

    Only pairs that also share ANCHORS_NEEDED anchor terms count (signatures shorter than that
    need all of theirs).

    Candidates come from a sparse product over the terms held by at most MAX_POSTINGS
    signatures, in blocks of rows, so neither time nor memory grows with the square of the
    number of stories; the best LINK_CANDIDATES per group (ties to the earlier record) are then
    scored exactly on their whole signatures.
    """
    if not today or not earlier:
        return {}
    df: Counter[str] = Counter(t for sig in [*today, *(p.terms for p in earlier)] for t, _w in sig)
    vocab = {t: n for n, t in enumerate(sorted(t for t, k in df.items() if k <= MAX_POSTINGS))}
    width = max(1, len(vocab))

    def build(signatures: Sequence[Sequence[tuple[str, float]]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for i, sig in enumerate(signatures):
            for term, weight in sig:
                if term in vocab:
                    rows.append(i)
                    cols.append(vocab[term])
                    vals.append(weight)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(signatures), width), dtype=np.float64)

    mine, theirs = build(today), build([p.terms for p in earlier]).T.tocsc()
    pairs: dict[tuple[int, int], float] = {}
    for start in range(0, len(today), _BLOCK_ROWS):
        block = (mine[start : start + _BLOCK_ROWS] @ theirs).tocsr()
        block.data = np.round(block.data, 9)
        for row in range(block.shape[0]):
            lo, hi = block.indptr[row], block.indptr[row + 1]
            cols, vals = block.indices[lo:hi], block.data[lo:hi]
            for k in np.lexsort((cols, -vals))[:LINK_CANDIDATES]:
                i, j = start + row, int(cols[k])
                exact = signature_similarity(today[i], earlier[j].terms)
                if exact >= LINK_THRESHOLD and anchored(today[i], earlier[j].terms, exact):
                    pairs[(i, j)] = exact
    return pairs


def anchored(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]], similarity: float) -> bool:
    """True when a similarity link is anchored: ANCHORS_NEEDED anchor terms in common, or one and ONE_ANCHOR_REST.

    similarity: the two signatures' cosine (signature_similarity); one shared anchor term is
    enough when the cosine without it is still ONE_ANCHOR_REST.
    """
    anchors = _anchor_terms(a, b)
    if len(anchors) >= min(ANCHORS_NEEDED, len(a), len(b)):
        return True
    if not anchors:
        return False
    weights_a, weights_b = dict(a), dict(b)
    return similarity - sum(weights_a[t] * weights_b[t] for t in anchors) >= ONE_ANCHOR_REST


class _Candidate(NamedTuple):
    """A possible link, sorted best first: heaviest, most shared articles, most similar, latest day, then the ids."""

    neg_weight: float  # the cosine plus the share of the group's articles the earlier story had
    neg_shared: int
    neg_sim: float
    neg_day: int
    story_id: str  # the earlier story's
    fresh: str  # the group's own id, were it new
    group: int  # its index among today's groups


def _match(candidates: Sequence[_Candidate]) -> dict[int, tuple[str, float]]:
    """The one-to-one links chosen among candidates: group index -> (earlier story id, similarity).

    Per connected component of the candidate graph, the assignment of greatest total weight
    (scipy's linear_sum_assignment), ties to the links that come first in candidate order. Greedy,
    taking each link in that order while both ends are free, lets one group's best link take the
    only story another group could continue. A component larger than MAX_ASSIGN on a side is
    matched greedily, so a day with many look-alike stories stays near-linear.
    """
    ordered = sorted(candidates)
    if not ordered:
        return {}
    groups = sorted({c.group for c in ordered})
    stories = sorted({c.story_id for c in ordered})
    row = {g: n for n, g in enumerate(groups)}
    col = {sid: len(groups) + n for n, sid in enumerate(stories)}
    edges = sparse.coo_matrix(
        (np.ones(len(ordered)), ([row[c.group] for c in ordered], [col[c.story_id] for c in ordered])),
        shape=(len(row) + len(col),) * 2,
    )
    _count, component = connected_components(edges, directed=False)
    parts: dict[int, list[_Candidate]] = {}
    for c in ordered:  # each part keeps candidate order
        parts.setdefault(int(component[row[c.group]]), []).append(c)
    links: dict[int, tuple[str, float]] = {}
    for part in parts.values():
        chosen = _assign(part)
        if chosen is None:
            chosen = _greedy(part)
        links.update((c.group, (c.story_id, -c.neg_sim)) for c in chosen)
    return links


def _greedy(part: Sequence[_Candidate]) -> list[_Candidate]:
    chosen, linked, taken = [], set(), set()
    for c in part:
        if c.group not in linked and c.story_id not in taken:
            chosen.append(c)
            linked.add(c.group)
            taken.add(c.story_id)
    return chosen


def _assign(part: Sequence[_Candidate]) -> list[_Candidate] | None:
    """The best assignment of one component (in candidate order), or None when it is too large to solve."""
    groups = sorted({c.group for c in part})
    stories = sorted({c.story_id for c in part})
    if len(groups) == 1 or len(stories) == 1:
        return _greedy(part)  # a star: its first candidate is the best assignment
    if max(len(groups), len(stories)) > MAX_ASSIGN:
        return None
    # Integer weights, exact in float64: total weight in millionths first, then a tie-break
    # favouring the links that come first, which no total of it can outweigh a millionth.
    pairs = min(len(groups), len(stories))
    tie = pairs * len(part) + 1
    if pairs * (_SIM_SCALE + 1) * tie >= 2**53:
        return None
    row = {g: n for n, g in enumerate(groups)}
    col = {sid: n for n, sid in enumerate(stories)}
    matrix = np.zeros((len(groups), len(stories)), dtype=np.float64)
    which: dict[tuple[int, int], _Candidate] = {}
    for n, c in enumerate(part):
        matrix[row[c.group], col[c.story_id]] = round(-c.neg_weight * _SIM_SCALE) * tie + (len(part) - n)
        which[(row[c.group], col[c.story_id])] = c
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    picked = [which[(int(r), int(k))] for r, k in zip(rows, cols, strict=True) if (int(r), int(k)) in which]
    return sorted(picked)


def link_stories(
    groups: Sequence[Sequence[Article]], previous: Sequence[PriorStory], day: dt.date
) -> list[LinkedGroup]:
    """Today's groups (in order) with their identities: continuing an earlier story, or new.

    Only stories recorded for the LOOKBACK_DAYS days before day count; any others in
    previous (day itself, later days, older days) are ignored.
    """
    first = day - dt.timedelta(days=LOOKBACK_DAYS)
    earlier = sorted(
        (p for p in previous if first <= p.day < day),
        key=lambda p: (p.day, p.story_id, p.article_ids, p.label, p.terms),
    )
    members = [tuple(g) for g in groups]
    signatures = story_terms(members)
    fresh = [story_id(g) if g else "" for g in members]

    # Every recorded version of a story (one per day it ran) speaks for it; the latest gives its label.
    versions: dict[str, list[int]] = {}
    for j, p in enumerate(earlier):
        versions.setdefault(p.story_id, []).append(j)
    known: dict[str, set[str]] = {sid: {a for j in js for a in earlier[j].article_ids} for sid, js in versions.items()}
    owners: dict[str, set[str]] = {}
    for sid, ids in known.items():
        for a in ids:
            owners.setdefault(a, set()).add(sid)

    sims = _similar_pairs(signatures, earlier)
    shared: Counter[tuple[int, str]] = Counter()
    sizes = []  # distinct articles per group
    for i, g in enumerate(members):
        distinct = dict.fromkeys(x.id for x in g)
        sizes.append(len(distinct))
        for a in distinct:
            for sid in owners.get(a, ()):
                shared[(i, sid)] += 1
    best_sim: dict[tuple[int, str], float] = {}
    for (i, j), value in sims.items():
        key = (i, earlier[j].story_id)
        best_sim[key] = max(best_sim.get(key, 0.0), value)
    for i, sid in shared:  # a story sharing articles is linked anyway; its similarity orders the ties
        if (i, sid) not in best_sim:
            best_sim[(i, sid)] = max(signature_similarity(signatures[i], earlier[j].terms) for j in versions[sid])

    candidates = []
    for key in best_sim:
        i, sid = key
        sim, n_shared = best_sim.get(key, 0.0), shared.get(key, 0)
        if n_shared or sim >= LINK_THRESHOLD:
            latest = earlier[versions[sid][-1]].day
            weight = round(sim + n_shared / sizes[i], 9)
            candidates.append(_Candidate(-weight, -n_shared, -sim, -latest.toordinal(), sid, fresh[i], i))
    links = _match(candidates)
    taken = {sid for sid, _sim in links.values()}

    out = []
    for i, g in enumerate(members):
        if i in links:
            sid, sim = links[i]
            label = earlier[versions[sid][-1]].label
            new_ids = tuple(dict.fromkeys(a.id for a in g if a.id not in known[sid]))
            history = tuple(earlier[j] for j in versions[sid])
            out.append(LinkedGroup(g, sid, label, "developing", new_ids, signatures[i], sim, history))
            continue
        sid = fresh[i]
        if sid in taken:  # its first article began a story another group continues today
            sid = story_hash(fresh[i], day.isoformat())
        out.append(LinkedGroup(g, sid, "", "new", (), signatures[i]))
    return out


def _label_base(group: LinkedGroup) -> int:
    latest = group.continued[-1]
    return max(1, latest.label_articles or len(latest.article_ids))


def outgrew_label(group: LinkedGroup) -> bool:
    """True when a developing story has RELABEL_GROWTH times the articles its label was chosen from.

    Unless a word of its label is still among today's ANCHOR_TERMS heaviest terms: the label then
    still names what the story is most about, whatever else it took in.
    """
    if group.status != "developing" or not group.continued:
        return False
    if len(group.articles) < RELABEL_GROWTH * _label_base(group):
        return False
    language = sumy_language(group.articles[0].language) if group.articles else "english"
    named = {stem(w.lower(), language) for w in letter_words(group.label)}
    return not named & {t for t, _w in group.terms[:ANCHOR_TERMS]}


def label_basis(group: LinkedGroup, relabelled: bool) -> int:
    """How many articles the story's label (as given today) was chosen from, to be recorded."""
    if group.status == "developing" and group.continued and not relabelled:
        return _label_base(group)
    return len(group.articles)


def previous_editions(versions: Sequence[PriorStory]) -> tuple[PreviousEdition, ...]:
    """A story's recorded days as its timeline shows them, oldest first."""
    return tuple(
        PreviousEdition(p.day, p.story_id, p.label, p.headline, len(p.article_ids), p.summary[0] if p.summary else "")
        for p in sorted(versions, key=lambda p: (p.day, p.story_id))
    )


def told_before(group: LinkedGroup, articles: dict[str, Article]) -> Told:
    """What the reader of a developing story was already given: the continued days' summaries and articles.

    articles: the earlier days' articles by id (those missing are left out)."""
    sentences = tuple(dict.fromkeys(t for p in group.continued for t in p.summary))
    ids = dict.fromkeys(a for p in group.continued for a in p.article_ids)
    return Told(sentences, tuple(articles[a] for a in ids if a in articles))
